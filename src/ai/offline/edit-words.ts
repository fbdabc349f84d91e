import { DURATION, readDuration, UNIT_WORD } from "./durations.js";

/**
 * The wording of edits that need no new time: shifts ("an hour later", "push it back an hour", "add 5
 * minutes to the timer") and renames ("rename it to call dad"). The classifier and edits.ts both read them.
 */

/** An amount of time as edits say it: "10 minutes", "another hour", "5 more minutes", "one more minute". */
const AMOUNT = `(?:(?:another|an additional|an extra|a further) ${DURATION}|${DURATION}|(?:another|one more|an extra|an additional|a further) (?:second|minute|hour|day|week)s?|\\d+ (?:more|extra|additional) ${UNIT_WORD})`;
const amount = (phrase: string) => {
  const p = phrase.replace(/ (?:more|extra|additional) /, " ");
  return (
    readDuration(p.replace(/^(?:another|an additional|an extra|a further) (?=\d|an?\b)/, "")) ??
    readDuration(p.replace(/^(?:another|one more|an extra|an additional|a further) /, "1 "))
  );
};

// Not "before"/"after": "30 minutes before the meeting" is a lead time, not a shift.
const LATER = "later|back|out|forward|ahead";
const EARLIER = "earlier|sooner";
/** "an hour later", "30 minutes earlier", "push it back an hour", "add 5 minutes to the timer"… */
const RE_SHIFTS: Array<[RegExp, (m: RegExpExecArray) => number]> = [
  [new RegExp(`\\b(${AMOUNT}) (${LATER}|${EARLIER})\\b`), (m) => (new RegExp(`^(?:${LATER})$`).test(m[2]!) ? 1 : -1)],
  [
    new RegExp(
      `\\b(push|move|bump|shift|bring|pull|delay|postpone)\\b( [\\w' ]+?)??(?: (back|forward|ahead|up|out|later|earlier))?(?: by| for)? (${AMOUNT})\\b`,
    ),
    (m) => (/^(?:up|earlier)$/.test(m[3] ?? "") || (/^(?:bring|pull)$/.test(m[1]!) && m[3] === "forward") ? -1 : 1),
  ],
  [
    new RegExp(
      `\\b(?:add|extend(?: it| that| this| the \\w+| my \\w+| timer| alarm)?(?: by| for| with| to)?) (?:on )?(${AMOUNT})(?= more| extra| to| on| onto| please|$)`,
    ),
    () => 1,
  ],
  [
    new RegExp(
      `\\b(?:take away|take off|remove|delete|subtract|cut|shave off|knock off|deduct|reduce (?:it |that |the \\w+ |my \\w+ )?by|shorten (?:it |that |the \\w+ |my \\w+ )?by) (${AMOUNT})(?= from| off|$)`,
    ),
    () => -1,
  ],
  [new RegExp(`\\b(?:take|knock|shave|cut) (${AMOUNT}) off\\b`), () => -1],
  // "to the next day" moves by whole days, from whatever day the task is on.
  [/\bto the (next|following|previous) day\b/, (m) => (m[1] === "previous" ? -1 : 1)],
];

export interface Shift {
  minutes: number;
  start: number;
  end: number;
  /** Said as "add …" or "take … off": no other reading, even after a create verb. */
  explicit: boolean;
  /** Where the shift's verb, or the shift itself when it has none, starts. */
  verbAt: number;
}

/** A shift in minutes and where it was said, or null. */
export function findShift(s: string): Shift | null {
  for (const [k, [re, sign]] of RE_SHIFTS.entries()) {
    const m = re.exec(s);
    if (!m) continue;
    // "move it to 2 hours from now" names a new time, not a shift.
    if (k === 1 && /\b(?:to|until|till|at|on|from)\b/.test(m[2] ?? "")) continue;
    const phrase = m.slice(1).find((g) => g && amount(g));
    const d = phrase ? amount(phrase) : /day\b/.test(m[0]) ? readDuration("1 day") : null;
    if (!d || d.months) continue;
    const minutes = sign(m) * Math.max(1, Math.round(d.minutes));
    // After a verb, the words before the direction name the task ("push the dentist back an hour").
    const start = k === 1 ? m.index + m[1]!.length + (m[2]?.length ?? 0) : m.index;
    return { minutes, start, end: m.index + m[0].length, explicit: k >= 2, verbAt: m.index };
  }
  return null;
}

/** "rename it to call dad", "call it X", "change the title to X", "update the alarm called Gym to Training". */
const RE_RENAMES: Array<[RegExp, number, number]> = [
  [/\b(?:rename|retitle|relabel) (.*?) ?\b(?:to|as) (.+)$/, 1, 2],
  [/\b(?:change|update|edit|set) (?:the )?(?:name|title|label|text|wording|description)(?: of (.+?))? to (.+)$/, 1, 2],
  [/\b(?:change|update|edit|rename) (.+?) (?:called|named|titled|labell?ed) .+? to (.+)$/, 1, 2],
  [/\b(?:change|update|edit) (.+?) to say (.+)$/, 1, 2],
  [/^(?:please )?(?:call|name) (it|that|this) (.+)$/, 1, 2],
];

/** A rename: the words that pick the task and the new title, or null. */
export function findRename(s: string): { refWords: string; title: string } | null {
  for (const [re, ref, title] of RE_RENAMES) {
    const m = re.exec(s);
    if (m?.[title])
      return { refWords: m[ref] ?? "", title: m[title]!.replace(/^(?:instead )?["']?|["']?$/g, "").trim() };
  }
  return null;
}
