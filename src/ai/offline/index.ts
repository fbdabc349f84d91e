import type { InterpretContext, Interpretation, TaskRef } from "../types.js";
import { create, isFragment } from "./create.js";
import { parseDuration } from "./durations.js";
import { findRename, findShift } from "./edit-words.js";
import { reschedule } from "./edits.js";
import { classify } from "./intents.js";
import { hasWhen, parse, type Parsed } from "./parse.js";
import { taskRef } from "./refs.js";
import { everydayReply } from "./replies.js";
import { ASK_WHEN, resolveRange } from "./resolve.js";

export { ASK_WHEN, parseDuration };

const NO_WHEN = { clocks: [], dates: [], dayParts: [] };

/** "what's next?" and "my next reminder" ask for one; "my next 3 alarms" for three. */
function listLimit(s: string): number | undefined {
  if (
    /^(?:so |and |ok |okay )?(?:what's|whats|what is|what comes|what have i got|what do i have) (?:up )?next\b/.test(s)
  )
    return 1;
  const m =
    /\bnext (?:(\d+) )?(?:reminders?|alarms?|timers?|events?|meetings?|appointments?|tasks?|ones?|things?|items?)\b/.exec(
      s,
    );
  if (!m) return undefined;
  return m[1] ? Number(m[1]) : /s\b/.test(m[0].split(" ").pop()!) ? undefined : 1;
}

function list(p: Parsed, strength: number): Interpretation {
  const out: Interpretation = { intent: "list", task: null, schedule: null, confidence: strength };
  const range = resolveRange(p.when, p.ctx, p.hints);
  if (range) out.range = range;
  const limit = listLimit(p.s);
  if (limit) out.limit = limit;
  // "when is my passport reminder": a question about one reminder, named by its words.
  const about =
    /^(?:when|what time|what day)(?: is| does| do| are)? (?:my|the) (.+?) (?:reminder|alarm|appointment|one)s?\b/.exec(
      p.s,
    );
  if (about) {
    const ref = taskRef(about[1]!, about[1]!, NO_WHEN, p.ctx, p.hints);
    if (ref.kind === "text") out.ref = ref;
  }
  return out;
}

function cancel(p: Parsed, strength: number): Interpretation {
  const ref = taskRef(p.s, p.claims.masked(), p.when, p.ctx, p.hints);
  const out: Interpretation = { intent: "cancel", task: null, schedule: null, ref, confidence: strength };
  if (ref.kind !== "time" && ref.kind !== "index" && (p.when.dates.length || p.when.vague)) {
    const range = resolveRange(p.when, p.ctx, p.hints);
    if (range) out.range = range;
  }
  return out;
}

/** "friday instead of wednesday": a new time said against the old one is an edit, whatever the verb. */
function correction(p: Parsed): boolean {
  const items = [...p.when.clocks, ...p.when.dates, ...p.when.dayParts];
  // "make the gym reminder 7am instead": the new time, against an old one left unsaid.
  if (/\binstead$/.test(p.s) && items.length && !/^(?:remind|set|create|add)\b/.test(p.s)) return true;
  const at = /\b(?:instead of|rather than)\b/.exec(p.s)?.index;
  if (at === undefined) return false;
  return items.some((x) => x.start < at) && items.some((x) => x.start > at);
}

const PAUSE_ALL =
  /^(?:please )?(?:pause|resume|unpause|mute|unmute)(?: (?:my |all |all my |the )?(?:reminders|alarms|notifications|everything))?(?: please)?$/;

/**
 * Interprets one message with the offline grammar: intent, task, schedule (resolved against ctx.now in
 * ctx.tz, or in the zone the message names), the task it refers to, what it could not place, and how
 * sure the grammar is. Pure and fast: no I/O, no clock.
 */
export function interpretOffline(text: string, ctx: InterpretContext): Interpretation {
  const p = parse(text, ctx);
  const reply = everydayReply(p.s);
  if (reply) {
    const out: Interpretation = { intent: reply.intent, task: null, schedule: null, confidence: 0.9 };
    if (reply.intent === "done" || reply.intent === "skip") {
      const ref: TaskRef = reply.words ? taskRef(reply.words, reply.words, NO_WHEN, p.ctx, p.hints) : { kind: "last" };
      out.ref = ref;
    }
    return out;
  }
  // A shift ("an hour later") reads like a bare time, but moves a task.
  const shift = findShift(p.s);
  if (isFragment(p) && !shift) return create(p, 0.85);
  if (findRename(p.s) || (shift && isFragment(p)) || correction(p)) return reschedule(p, 0.85);
  const lead = p.claims.masked().match(/^(?:(?:please|olly|hey|on|at|in|by|every|each)\s+)*/)?.[0].length ?? 0;
  const leadsWithTime =
    p.s.length > lead && p.claims.taken(lead, lead + 1) && !p.when.dates.some((d) => d.possessive && d.start <= lead);
  const w = p.when;
  // A time with a question mark asks something ("sunglasses needed today?"); only a plain one sets a reminder.
  const concrete = Boolean(p.rec || w.clocks.length || w.dates.length || w.offset) && !/\?\s*$/.test(text);
  const guess = classify(p.s, hasWhen(p), Boolean(p.rec?.freq), leadsWithTime, concrete);
  switch (guess.intent) {
    case "create":
      return create(p, guess.strength);
    case "reschedule":
      return reschedule(p, guess.strength);
    case "list":
      return list(p, guess.strength);
    case "cancel":
      return cancel(p, guess.strength);
    case "snooze": {
      const minutes = p.when.offset && !p.when.offset.months ? Math.round(p.when.offset.minutes) : parseDuration(p.s);
      return {
        intent: "snooze",
        task: null,
        schedule: null,
        ref: { kind: "last" },
        snoozeMinutes: minutes && minutes > 0 ? minutes : 10,
        confidence: guess.strength,
      };
    }
    case "pause":
    case "resume": {
      const ref = PAUSE_ALL.test(p.s)
        ? { kind: "all" as const }
        : taskRef(p.s, p.claims.masked(), p.when, p.ctx, p.hints);
      return { intent: guess.intent, task: null, schedule: null, ref, confidence: guess.strength };
    }
    case "timezone": {
      const out: Interpretation = { intent: "timezone", task: null, schedule: null, confidence: guess.strength };
      if (guess.timezone) out.timezone = guess.timezone;
      else out.question = "Which time zone are you in? For example Europe/Berlin or America/New_York.";
      return out;
    }
    case "help":
      return { intent: "help", task: null, schedule: null, confidence: guess.strength };
    default:
      return { intent: "other", task: null, schedule: null, confidence: guess.strength };
  }
}
