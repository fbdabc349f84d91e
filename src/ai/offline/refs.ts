import type { TaskRef } from "../types.js";
import { resolveOnce, type Context, type Hints } from "./resolve.js";
import type { When } from "./times.js";

/**
 * Which existing task a cancel, reschedule, snooze, pause or resume acts on: "cancel 2" (the second
 * of the last list), "my 3pm reminder", "the daily one", "all", "the dentist reminder", or the last one.
 */

const FILLER = new Set(
  (
    "olly alexa siri hey hi ok okay please can could would you will i want need to the a an my me all of for on in at from with this that these those " +
    "cancel delete remove erase clear get rid scrap unset undo disable deactivate dismiss turn switch shut off stop kill drop forget about never mind nevermind " +
    "pause mute silence suspend hold resume unpause unmute reactivate enable restart back again move reschedule push postpone shift delay bump change make " +
    "reminder reminders alarm alarms timer timers event events notification notifications alert alerts calendar schedule one ones it them set have " +
    "sure and any which is are so just up out blank now remind modify update adjust edit correct rectify rename instead " +
    "don't dont do not scrub scratch eliminate terminate destroy disregard halt wipe ditch discard nix axe abort void " +
    "current existing present earlier later sooner reduce shorten extend increase decrease lengthen time add some more " +
    "terminated deleted removed cancelled canceled gone erased cleared were was before after " +
    "anymore longer reminding everything anything no actually wait sorry end down quiet be resuming"
  ).split(" "),
);

/** Filler verbs that also end names: "oil change", "stand up", "check in", "pick up". */
const NAME_VERB = new Set(["up", "change", "move", "shift", "check", "drop", "stop", "set", "back", "out", "off"]);

const FREQ_WORD: Record<string, string> = {
  daily: "DAILY",
  nightly: "DAILY",
  weekly: "WEEKLY",
  monthly: "MONTHLY",
  yearly: "YEARLY",
  annual: "YEARLY",
  hourly: "HOURLY",
};

/**
 * The task a message points at. `masked` is the message with time words blanked (so "my 3pm reminder"
 * leaves no "3pm" among the words), `when` what the time grammar read from the same part of the message.
 */
export function taskRef(s: string, masked: string, when: When, ctx: Context, hints: Hints): TaskRef {
  const named = nameWords(masked);
  if (
    /\b(?:all|everything|entire|whole|completely)\b|\b(?:every|each)(?: single)? (?:reminder|alarm|timer|event|notification|one|thing)s?\b/.test(
      s,
    ) ||
    /\bclear (?:my|the) (?:schedule|calendar|day)\b/.test(s)
  )
    // "all my oil change reminders" names some of them: the conversation matches the words, never all.
    return named ? { kind: "text", words: named } : { kind: "all" };
  const freq = /\b(daily|nightly|weekly|monthly|yearly|annual|hourly)\b/.exec(s)?.[1];
  if (freq && !when.clocks.length) return { kind: "recurring", freq: FREQ_WORD[freq] };
  if (/\b(?:recurring|repeating|repeated|regular)\b/.test(s) && !when.clocks.length) return { kind: "recurring" };
  const index = /(?:^|\s)(?:number |no |#)?(\d{1,2})(?:st|nd|rd|th)?(?: one)?(?:\s|$)/.exec(masked);
  if (index && !when.clocks.length) return { kind: "index", n: Number(index[1]) };
  if (when.clocks.length) {
    const r = resolveOnce(
      { ...when, past: false, trigger: undefined, anchored: undefined, offset: undefined, vague: undefined },
      ctx,
      hints,
    );
    if (r.kind === "at") return { kind: "time", at: r.at };
  }
  if (named) return { kind: "text", words: named };
  return { kind: "last" };
}

/**
 * The words that name a task: not the command, the item nouns or filler. Words before the command verb
 * are the user's reasons ("i'm sick so delete tomorrow's reminders") unless nothing names it after.
 */
function nameWords(masked: string): string {
  // "the running timer" is the one going now; "change running to 6:30" names the running reminder.
  const all = masked
    .replace(/\brunning (?=(?:timer|alarm|reminder|countdown|one)s?\b)/g, "")
    .split(" ")
    .filter(Boolean);
  // A verb right after a name is part of it ("the oil change", "the stand up one"), not the command.
  const keep = (w: string, i: number) =>
    (!FILLER.has(w) || (NAME_VERB.has(w) && i > 0 && !FILLER.has(all[i - 1]!))) && !/^\d/.test(w);
  let verb = -1;
  for (let i = 0; i < all.length; i++) if (COMMAND.has(all[i]!)) verb = i;
  const after = all.map((w, i) => (i > verb && keep(w, i) ? w : "")).filter(Boolean);
  const reason = /\b(?:so|because|since|cause|cuz|as)\b/.test(all.slice(0, Math.max(verb, 0)).join(" "));
  if (verb > 0 && (after.length || reason)) return after.join(" ");
  return all.filter(keep).join(" ");
}

/** Command verbs: what comes after one names the task. */
const COMMAND = new Set(
  "cancel delete remove erase clear scrap scrub unset disable deactivate dismiss stop kill drop eliminate terminate destroy wipe trash ditch discard move reschedule push postpone shift delay bump change modify update adjust pause resume snooze skip mark".split(
    " ",
  ),
);
