import type { InterpretContext, Interpretation, Schedule } from "../types.js";
import { parseDuration } from "./durations.js";
import { audienceOf, channelOf, classify } from "./intents.js";
import { normalize } from "./normalize.js";
import { buildRecurrence, extractRecurrence, type Recur } from "./recurrence.js";
import { taskRef } from "./refs.js";
import { ASK_WHEN, resolveOnce, resolveRange, type Hints } from "./resolve.js";
import { Claims } from "./scan.js";
import { taskText } from "./task.js";
import { extractWhen, type When } from "./times.js";

export { parseDuration };

/** Time words left in a task mean the grammar did not account for part of the "when". */
const TIMEISH =
  /\b(?:\d+|am|pm|o'clock|noon|midnight|morning|afternoon|evening|night|tonight|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|june|july|august|september|october|november|december|every|next|until|hours?|minutes?|days?|weeks?|months?|years?|weekly|daily|monthly)\b/;

interface Parsed {
  /** The message as the user typed it. */
  original: string;
  s: string;
  claims: Claims;
  rec: Recur | null;
  when: When;
  hints: Hints;
}

function parse(text: string, ctx: InterpretContext): Parsed {
  const s = normalize(text);
  const claims = new Claims(s);
  const rec = extractRecurrence(claims);
  const when = extractWhen(claims, ctx.now);
  const hints = {
    wake: /\b(?:wake|waking|get up|wakeup|be up)\b/.test(s),
    evening: /\b(?:dinner|supper|tonight)\b/.test(s),
  };
  return { original: text, s, claims, rec, when, hints };
}

const hasWhen = (p: Parsed): boolean =>
  Boolean(
    p.rec ||
      p.when.clocks.length ||
      p.when.dates.length ||
      p.when.dayParts.length ||
      p.when.offset ||
      p.when.vague ||
      p.when.anchored ||
      p.when.trigger,
  );

/**
 * The task as the user wrote it ("call Mom", "review the PR"): the grammar works on lower-cased text,
 * so its words are found again in the original, when they stand there in that order.
 */
function originalCase(task: string, original: string): string {
  const words = task
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return task;
  const m = new RegExp(`\\b${words.join("[\\s,;:.!]+")}(?![\\w'])`, "i").exec(original);
  return m ? m[0] : task;
}

/** The schedule a create or reschedule asks for, or the question to ask instead. */
function scheduleOf(p: Parsed, ctx: InterpretContext): { schedule: Schedule | null; question?: string } {
  if (p.rec) {
    const r = buildRecurrence(p.rec, p.when, ctx, p.hints);
    if (r.kind === "ask") return { schedule: null, question: r.question };
    return { schedule: { kind: "recurring", rrule: r.rrule, tz: ctx.tz, next: r.next } };
  }
  const o = resolveOnce(p.when, ctx, p.hints);
  if (o.kind === "at") return { schedule: { kind: "once", at: o.at } };
  if (o.kind === "ask") return { schedule: null, question: o.question };
  return { schedule: { kind: "unspecified" } };
}

/** Several different plain dates or start times: the grammar picked one, but may have picked wrong. */
function conflicting(w: When): boolean {
  const dates = w.dates.filter((d) => !d.possessive);
  const clocks = w.clocks.filter((c) => !c.rangeEnd && !c.attributive);
  return dates.length > 1 || clocks.length > 1;
}

function create(p: Parsed, ctx: InterpretContext, strength: number): Interpretation {
  const { schedule, question } = scheduleOf(p, ctx);
  const audience = audienceOf(p.s);
  // With an audience, "post"/"send" is the delivery, not part of the task.
  const raw = taskText(p.claims.masked());
  const task = raw && audience ? raw.replace(/^(?:post|send|share|announce|say)\s+/, "") : raw;
  let confidence = strength;
  if (schedule === null) confidence = Math.min(confidence, 0.5);
  if (task && TIMEISH.test(task)) confidence = Math.min(confidence, 0.6);
  if (conflicting(p.when)) confidence = Math.min(confidence, 0.7);
  const out: Interpretation = { intent: "create", task: task && originalCase(task, p.original), schedule, confidence };
  if (question) out.question = question;
  const channel = channelOf(p.s);
  if (channel) out.channel = channel;
  if (audience) out.audience = audience;
  return out;
}

/** "move my 3pm reminder to 5": the time before "to" picks the task, the one after is the new time. */
function reschedule(p: Parsed, ctx: InterpretContext, strength: number): Interpretation {
  const split = /\b(?:to|until|till|for|by)\b(?!.*\b(?:to|until|till)\b)/.exec(p.s)?.index ?? 0;
  const before = (x: { start: number }) => x.start < split;
  const refWhen: When = {
    clocks: p.when.clocks.filter(before),
    dates: p.when.dates.filter(before),
    dayParts: p.when.dayParts.filter(before),
  };
  const newWhen: When = {
    ...p.when,
    clocks: p.when.clocks.filter((c) => !before(c)),
    dates: p.when.dates.filter((d) => !before(d)),
    dayParts: p.when.dayParts.filter((d) => !before(d)),
  };
  const { schedule, question } = scheduleOf({ ...p, when: newWhen }, ctx);
  const masked = p.claims.masked().slice(0, split);
  const ref = taskRef(p.s.slice(0, split), masked, refWhen, ctx, p.hints);
  const out: Interpretation = {
    intent: "reschedule",
    task: null,
    schedule,
    ref,
    confidence: schedule ? strength : 0.5,
  };
  if (question) out.question = question;
  return out;
}

/**
 * Interprets one message with the offline grammar: intent, task, schedule (resolved against ctx.now in
 * ctx.tz), the task it refers to, and how sure the grammar is. Pure and fast: no I/O, no clock.
 */
export function interpretOffline(text: string, ctx: InterpretContext): Interpretation {
  const p = parse(text, ctx);
  const lead = p.claims.masked().match(/^(?:(?:please|olly|hey|on|at|in|by|every|each)\s+)*/)?.[0].length ?? 0;
  const leadsWithTime =
    p.s.length > lead && p.claims.taken(lead, lead + 1) && !p.when.dates.some((d) => d.possessive && d.start <= lead);
  const guess = classify(p.s, hasWhen(p), Boolean(p.rec?.freq), leadsWithTime);
  switch (guess.intent) {
    case "create":
      return create(p, ctx, guess.strength);
    case "reschedule":
      return reschedule(p, ctx, guess.strength);
    case "list": {
      const out: Interpretation = { intent: "list", task: null, schedule: null, confidence: guess.strength };
      const range = resolveRange(p.when, ctx, p.hints);
      if (range) out.range = range;
      return out;
    }
    case "cancel": {
      const ref = /^(?:undo|undo that|undo it)$/.test(p.s)
        ? { kind: "last" as const }
        : taskRef(p.s, p.claims.masked(), p.when, ctx, p.hints);
      const out: Interpretation = { intent: "cancel", task: null, schedule: null, ref, confidence: guess.strength };
      if (ref.kind !== "time" && ref.kind !== "index" && (p.when.dates.length || p.when.vague)) {
        const range = resolveRange(p.when, ctx, p.hints);
        if (range) out.range = range;
      }
      return out;
    }
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
      const ref =
        /^(?:please )?(?:pause|resume|unpause|mute|unmute)(?: (?:my |all |all my |the )?(?:reminders|alarms|notifications|everything))?(?: please)?$/.test(
          p.s,
        )
          ? { kind: "all" as const }
          : taskRef(p.s, p.claims.masked(), p.when, ctx, p.hints);
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

export { ASK_WHEN };
