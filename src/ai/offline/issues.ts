import type { Issue } from "../types.js";
import { addDays, compareYmd, daysInMonth, todayIn, weekdayOf, type Ymd } from "./calendar.js";
import { dateOf, type Context } from "./resolve.js";
import type { DateHit } from "./times.js";
import { B, E, rx, type Claims } from "./scan.js";
import { MONTH, MONTH_NUMBER } from "./vocab.js";

/** "February": English month names from Intl rather than a list of our own. */
const monthName = (m: number) =>
  new Date(Date.UTC(2000, m - 1, 1)).toLocaleString("en-US", { month: "long", timeZone: "UTC" });

/**
 * What the grammar reads but cannot honour: dates and times that do not exist ("feb 30", "25:00",
 * "13pm"), and time words left over once every rule has had its turn. Each becomes an Issue for the
 * conversation to explain or ask about; their words are claimed, so they never end up in a task's text.
 */

const RE_BAD_HHMM = rx(`${B}(?:(?:at|by|for|until|till|from) )?(\\d{1,2}):(\\d{2})(?: (am|pm))?${E}`);
// Not the minutes of "2:30 am" or of "5 30 pm" (from "five thirty pm").
const RE_BAD_MER = rx(`${B}(?<!\\d[: ]?)(?:(?:at|by|for|until|till|from) )?(\\d{1,2}) (am|pm)${E}`);
const RE_BAD_DAY = rx(
  `${B}(?:(?:on|for|by|until|till) )?(?:(${MONTH}) (?:the )?(\\d{1,2})(?:st|nd|rd|th)?|(?:the )?(\\d{1,2})(?:st|nd|rd|th)? (?:of )?(${MONTH}))(?: (\\d{4}))?${E}`,
);

/** Why a clock reading does not exist, or null when it does. */
function badClock(h: number, m: number, mer: string | undefined): string | null {
  if (m > 59) return "an hour has only 60 minutes";
  if (h > 24 || (h === 24 && m > 0)) return "a day has only 24 hours";
  if (mer === "am" && h > 12) return "hours after 12 are not am";
  return null;
}

/**
 * Claims impossible times ("at 25:00", "10:75", "13pm") and dates ("feb 30", "april 31st") and reports
 * them. Runs before the time grammar, which would otherwise drop or misread them.
 */
export function extractImpossible(c: Claims, ctx: Context): Issue[] {
  const issues: Issue[] = [];
  const text = (m: RegExpExecArray) => m[0].replace(/^(?:at|by|for|until|till|from|on) /, "");
  c.scan(RE_BAD_HHMM, (m) => {
    const reason = badClock(+m[1]!, +m[2]!, m[3]);
    if (!reason) return false;
    issues.push({ kind: "invalid_time", text: text(m), reason });
    return true;
  });
  c.scan(RE_BAD_MER, (m) => {
    const h = +m[1]!;
    // "17 pm" says the hour twice; only 1-12 go with am and pm (0 am is read as midnight elsewhere).
    if (h <= 12) return false;
    issues.push({
      kind: "invalid_time",
      text: text(m).replace(" ", ""),
      reason: "am and pm go with hours 1 to 12",
    });
    return true;
  });
  const today = todayIn(ctx.now, ctx.tz);
  c.scan(RE_BAD_DAY, (m) => {
    const month = MONTH_NUMBER[(m[1] ?? m[4])!.slice(0, 3)]!;
    const d = +(m[2] ?? m[3])!;
    if (m[1] === "may" && !/\d(?:st|nd|rd|th)/.test(m[0]) && !/may \d/.test(m[0])) return false;
    // The year the date would fall in: the one named, else the next time that month comes round.
    const year = m[5] ? +m[5] : month >= today.m ? today.y : today.y + 1;
    // Feb 29 exists in some year: the date grammar moves it to the next leap year.
    const longest = month === 2 && !m[5] ? 29 : daysInMonth(year, month);
    if (d >= 1 && d <= longest) return false;
    if (d < 1) return false;
    const name = monthName(month);
    issues.push({
      kind: "invalid_date",
      text: text(m),
      reason: `${name} ${year} has ${daysInMonth(year, month)} days`,
    });
    return true;
  });
  return issues;
}

/** Words that only ever belong to a time or schedule. */
const TIME_WORD =
  /^(?:am|pm|o'clock|noon|midnight|tonight|today|tomorrow|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|daily|weekly|monthly|yearly|hourly|nightly|fortnightly|weekdays?|weekends?|ish)$/;
/** Month names are also people's names ("call june"): a time only after a word that introduces one. */
const MONTH_WORD = /^(?:january|february|april|june|july|august|september|october|november|december)$/;
const MONTH_INTRO = /^(?:in|by|until|till|next|this|every|of|early|late|mid|end)$/;
/** Words that belong to a time only beside one ("at the 5 or so", "every 3rd"). */
const GLUE =
  /^(?:at|on|by|around|about|every|each|next|this|the|of|in|or|so|and|before|after|until|till|from|early|late|mid|end)$/;
const NUMBER_INTRO = /^(?:at|by|around|about|until|till|the|every|on|before|after|from)$/;
const NUMBER = /^\d+(?:st|nd|rd|th)?$/;

/**
 * The task text with leftover time words taken out, and those words: "call mom at the 5 or so" →
 * "call mom", ["at the 5 or so"]. The grammar had its chance to read them; pasting them into a title
 * would hide that it did not.
 */
export function takeUnplaced(task: string): { task: string; unplaced: string[] } {
  const w = task.split(" ").filter(Boolean);
  const core = w.map((x, i) => {
    const prev = w[i - 1] ?? "";
    // "I am due", "opening weekend": am/pm only after a number, weekdays and weekends only after a time word.
    if (/^(?:am|pm)$/.test(x)) return NUMBER.test(prev);
    if (/^week(?:day|end)s?$/.test(x)) return i === 0 || GLUE.test(prev);
    if (TIME_WORD.test(x)) return true;
    if (MONTH_WORD.test(x)) return MONTH_INTRO.test(w[i - 1] ?? "");
    if (!NUMBER.test(x)) return false;
    const next = w[i + 1];
    // "the 5 kids" counts kids; "at 5 or so", "by the 3rd" name a time.
    return NUMBER_INTRO.test(w[i - 1] ?? "") && (next === undefined || GLUE.test(next) || TIME_WORD.test(next));
  });
  const drop = new Array<boolean>(w.length).fill(false);
  const unplaced: string[] = [];
  for (let i = 0; i < w.length; i++) {
    if (!core[i]) continue;
    let a = i,
      b = i;
    while (a > 0 && GLUE.test(w[a - 1]!) && !drop[a - 1]) a--;
    for (let j = i + 1; j < w.length && (core[j] || GLUE.test(w[j]!)); j++)
      if (core[j] || /^(?:so|ish)$/.test(w[j]!)) b = j;
    // "and", "the" at the edge of the run belong to the sentence.
    while (a < i && /^(?:and|or|so|the)$/.test(w[a]!)) a++;
    for (let k = a; k <= b; k++) drop[k] = true;
    unplaced.push(w.slice(a, b + 1).join(" "));
    i = b;
  }
  return { task: w.filter((_, i) => !drop[i]).join(" "), unplaced };
}

/** "Thursday June 25". */
const dayName = (d: Ymd) => {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d));
  return `${t.toLocaleString("en-US", { weekday: "long", timeZone: "UTC" })} ${monthName(d.m)} ${d.d}`;
};

/**
 * A weekday that disagrees with the date named beside it: "friday june 25" when June 25 is a Thursday,
 * or "monday the 31st" when no 31st in the coming months is a Monday. The options name both readings.
 */
export function dateConflicts(dates: DateHit[], s: string, ctx: Context): Issue[] {
  const today = todayIn(ctx.now, ctx.tz);
  const out: Issue[] = [];
  for (const hit of dates) {
    const ref = hit.ref;
    if ((ref.kind !== "ymd" && ref.kind !== "dom") || !ref.wd) continue;
    const found = dateOf(ref, today);
    // With no month named, a match more than two months out is more likely a slip than what was meant.
    if (found && (ref.kind === "ymd" || compareYmd(found, addDays(today, 62)) <= 0)) continue;
    const plain = dateOf({ ...ref, wd: undefined }, today);
    const options: string[] = [];
    if (plain) options.push(dayName(plain));
    if (plain) {
      const wd = addDays(plain, (ref.wd - weekdayOf(plain) + 7) % 7);
      options.push(dayName(wd));
    }
    if (found) options.push(dayName(found));
    out.push({ kind: "conflict", text: s.slice(hit.start, hit.end), options: [...new Set(options)] });
  }
  return out;
}
