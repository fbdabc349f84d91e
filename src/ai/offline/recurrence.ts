import { B, E, rx, type Claims } from "./scan.js";
import { DURATION, readDuration, type Duration } from "./durations.js";
import { smallNumber } from "./numbers.js";
import type { DayPart } from "./times.js";
import { EVENT_NOUN, MONTH, RRULE_DAYS, weekdayNumber } from "./vocab.js";

/**
 * The recurrence grammar: "every day at 9", "every weekday", "every monday and thursday", "every other
 * week", "on the 15th of every month", "the last friday of each month", "every 2 hours", "until dec 1",
 * "for 3 weeks", "twice a day", "every weekday except friday". Read before the time grammar so that "every
 * monday" is not also read as a date; rrule.ts turns what it read into an RRULE.
 */

export type Freq = "MINUTELY" | "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";

export interface Recur {
  /** Null when only "repeat" was said, with no frequency. */
  freq: Freq | null;
  interval: number;
  byday: string[];
  bymonthday?: number;
  part?: DayPart;
  /** Where "until" was said: the date after it bounds the rule instead of starting it. */
  untilAt?: number;
  length?: Duration;
  count?: number;
  /** "twice a day", "3 times a week": how many times per period, whose times or days must be named. */
  perPeriod?: { n: number; unit: "day" | "week" };
  /** Weekdays taken out with "except" ("every weekday except friday"). */
  except?: string[];
  /** Where in the message the first recurrence word is ("move the daily one to 9" names it before "to"). */
  at: number;
}

const WDF = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const WD_LIST = `${WDF}s?(?:(?: and| or| &)? ${WDF}s?)*`;
const PART = "(?:morning|afternoon|evening|night)";
const ORD = "(1st|2nd|3rd|4th|5th|last|first|second|third|fourth|fifth)";
const UNIT: Record<string, Freq> = {
  minute: "MINUTELY",
  hour: "HOURLY",
  day: "DAILY",
  week: "WEEKLY",
  fortnight: "WEEKLY",
  month: "MONTHLY",
  year: "YEARLY",
};
const ADVERB: Record<string, [Freq, number]> = {
  daily: ["DAILY", 1],
  nightly: ["DAILY", 1],
  hourly: ["HOURLY", 1],
  weekly: ["WEEKLY", 1],
  monthly: ["MONTHLY", 1],
  yearly: ["YEARLY", 1],
  annually: ["YEARLY", 1],
  fortnightly: ["WEEKLY", 2],
  biweekly: ["WEEKLY", 2],
};

const EVENT_ONLY = new RegExp(`^${EVENT_NOUN}$`);
const RE_NTH_WD = rx(
  `${B}(?:on )?(?:the |every |each )?${ORD} (${WDF}) (?:of |in )?(?:every|each|the|a)(?: single)? month${E}`,
);
const RE_MONTHDAY = rx(
  `${B}(?:on )?(?:the (\\d{1,2})(?:st|nd|rd|th)?|(\\d{1,2})(?:st|nd|rd|th))(?: day)? (?:of )?(?:every|each|a)(?: single)? month${E}`,
);
const RE_MONTH_ON = rx(
  `${B}(?:every|each) month on the (\\d{1,2})(?:st|nd|rd|th)?${E}|${B}monthly on the (\\d{1,2})(?:st|nd|rd|th)?${E}`,
);
const RE_MONTH_EDGE = rx(
  `${B}(?:at |on )?(?:the )?(start|beginning|1st day|first day|end|last day) of (?:every|each|a)(?: single)? month${E}`,
);
const RE_EVERY_N = rx(
  `${B}every (other|\\d+(?:st|nd|rd|th)?|second|third) (minute|hour|day|week|fortnight|month|year|${WDF})s?${E}`,
);
const RE_WD_LIST = rx(
  `${B}(?:(every|each|on every|on each|on|from) )?(${WD_LIST})(?: (?:through|thru|to) (${WDF}))?(?: (${PART})s?)?${E}`,
);
const RE_WEEKDAYS = rx(
  `${B}(?:(?:every|each|on|on every|during|during the) )?(?:(week ?day|weekend)(?!s)|(week ?days|weekends))${E}`,
);
const RE_EVERY_UNIT = rx(
  `${B}(?:every|each|once a|once an|once per|once every|per) (?:single )?(minute|hour|day|week|fortnight|month|year|${PART})${E}`,
);
const RE_ADVERB = rx(`${B}(daily|nightly|hourly|weekly|monthly|yearly|annually|fortnightly|biweekly)${E}`);
const RE_EVERY_MONTHNAME = rx(`${B}(?:every|each)(?= ${MONTH} \\d)`);
const RE_REPEAT = rx(`${B}(?:repeat(?:ing|s|ed)?|recurring|recurrent|recurs?|regular)${E}`);
const RE_UNTIL = rx(`${B}(?:until|till|til|through|thru|up to|ending|ends)${E}`);
const RE_FOR = rx(`${B}for (?:the next |the following |another |next )?(${DURATION})${E}`);
const RE_TIMES = rx(`${B}(\\d+) times${E}`);
const RE_FOR_NEXT = rx(
  `${B}for (?:the )?(?:next|following|coming) (?:(\\d+|an?|a couple of|couple of|a few|few) )?(minutes?|hours?|days?|weeks?|months?|(?:mon|tues|wednes|thurs|fri|satur|sun)days)${E}`,
);
/** A clock or day part somewhere in the message: "for the next 3 days" then repeats it. */
const TIMED = /\b\d{1,2}(?::\d{2})? ?(?:am|pm)\b|\bat \d|\b(?:noon|midnight|morning|afternoon|evening|night|tonight)\b/;
const RE_PER_PERIOD = rx(`${B}(once|twice|thrice|\\d+ times) (?:a|an|per|each|every) (day|week)${E}`);
const RE_EXCEPT = rx(
  `${B}(?:except|but not|excluding|other than|apart from|besides|not on|but) (?:on |for )?(?:the )?(?:(weekends?)|(${WD_LIST}))${E}`,
);

const days = (list: string): string[] => {
  const out: string[] = [];
  for (const w of list.split(" ")) {
    const n = weekdayNumber(w);
    if (/day/.test(w) && n > 0 && !out.includes(RRULE_DAYS[n - 1]!)) out.push(RRULE_DAYS[n - 1]!);
  }
  return out;
};
const ordinalN = (w: string): number =>
  w === "last"
    ? -1
    : w === "first"
      ? 1
      : w === "second"
        ? 2
        : w === "third"
          ? 3
          : w === "fourth"
            ? 4
            : w === "fifth"
              ? 5
              : parseInt(w, 10);

/** A rule that so far only names weekdays ("on weekdays"): an "every hour" said with it sets the pace. */
const daysOnly = (r: Recur): boolean => r.freq === "WEEKLY" && r.interval === 1 && r.byday.length > 0;

/** Reads the recurrence in the normalized message, claiming its words; null when the message does not repeat. */
export function extractRecurrence(c: Claims): Recur | null {
  let r: Recur | null = null;
  const before = c.masked();
  const set = (freq: Freq | null, patch: Partial<Recur> = {}): true => {
    const base: Recur = r ?? { freq: null, byday: [], interval: 1, at: 0 };
    // Days named with an hourly rule limit it ("every 30 minutes on weekdays") instead of replacing it.
    const sub = base.freq === "HOURLY" || base.freq === "MINUTELY";
    r =
      sub && freq === "WEEKLY"
        ? { ...base, byday: patch.byday ?? base.byday }
        : { ...base, ...patch, freq: freq ?? base.freq };
    return true;
  };
  let forNext: { n: number; unit: string } | null = null;
  c.scan(RE_FOR_NEXT, (m) => {
    const n = m[1] ? (smallNumber(m[1]) ?? 0) : 1;
    const weekday = /^(?:mon|tues|wednes|thurs|fri|satur|sun)days?$/.test(m[2]!);
    // Without another repeat word, only a timed request repeats ("alarm at 11 for the next 3 days").
    if (!(n >= 1) || (!weekday && !TIMED.test(c.text) && !/\b(?:every|each|daily|weekly|hourly)\b/.test(c.text)))
      return false;
    forNext = { n, unit: m[2]! };
    return true;
  });
  const except: string[] = [];
  c.scan(RE_EXCEPT, (m) => {
    except.push(...(m[1] ? ["SA", "SU"] : days(m[2]!)));
    return true;
  });
  c.scan(RE_PER_PERIOD, (m) => {
    const n = m[1] === "once" ? 1 : m[1] === "twice" ? 2 : m[1] === "thrice" ? 3 : parseInt(m[1]!, 10);
    const unit = m[2] as "day" | "week";
    if (n === 1) return set(unit === "day" ? "DAILY" : "WEEKLY");
    return set(unit === "day" ? "DAILY" : "WEEKLY", { perPeriod: { n, unit } });
  });
  c.scan(RE_NTH_WD, (m) => set("MONTHLY", { byday: [`${ordinalN(m[1]!)}${RRULE_DAYS[weekdayNumber(m[2]!) - 1]}`] }));
  c.scan(RE_MONTHDAY, (m) => {
    const d = +(m[1] ?? m[2])!;
    return d >= 1 && d <= 31 && set("MONTHLY", { bymonthday: d });
  });
  c.scan(RE_MONTH_ON, (m) => set("MONTHLY", { bymonthday: +(m[1] ?? m[2])! }));
  c.scan(RE_MONTH_EDGE, (m) => set("MONTHLY", { bymonthday: /start|beginning|1st|first/.test(m[1]!) ? 1 : -1 }));
  c.scan(RE_EVERY_N, (m) => {
    const n = m[1] === "other" || m[1] === "second" ? 2 : m[1] === "third" ? 3 : parseInt(m[1]!, 10);
    if (!(n >= 1)) return false;
    const unit = m[2]!;
    if (unit in UNIT) return set(UNIT[unit]!, { interval: unit === "fortnight" ? 2 * n : n });
    return set("WEEKLY", { interval: n, byday: days(unit) });
  });
  c.scan(RE_WD_LIST, (m) => {
    const prefix = m[1] ?? "",
      list = m[2]!,
      through = m[3];
    const next =
      c.text
        .slice(m.index + m[0].length)
        .trim()
        .split(" ")[0] ?? "";
    // "mondays" repeats, "mondays meeting" is a possessive without its apostrophe.
    const plural = /days\b/.test(list) && !EVENT_ONLY.test(next);
    if (!/every|each/.test(prefix) && !plural && !(prefix === "from" && through)) return false;
    let byday = days(list);
    if (through) {
      const a = weekdayNumber(list.split(" ")[0]!),
        b = weekdayNumber(through);
      byday = [];
      for (let d = a; ; d = (d % 7) + 1) {
        byday.push(RRULE_DAYS[d - 1]!);
        if (d === b || byday.length > 7) break;
      }
    }
    return set("WEEKLY", { byday, part: (m[4] as DayPart | undefined) ?? r?.part });
  });
  c.scan(RE_WEEKDAYS, (m) => {
    const word = (m[1] ?? m[2])!.replace(" ", "");
    // "a weekday alarm" repeats too; "the weekend" alone is a span (times.ts).
    const item = /^ (?:alarms?|reminders?|alerts?|wake ?up)\b/.test(c.text.slice(m.index + m[0].length));
    if (!/every|each|on|during/.test(m[0]) && !m[2] && !item) return false;
    return set("WEEKLY", { byday: /weekend/.test(word) ? ["SA", "SU"] : ["MO", "TU", "WE", "TH", "FR"] });
  });
  c.scan(RE_EVERY_UNIT, (m) => {
    const unit = m[1]!;
    const pace = unit === "hour" || unit === "minute";
    if (unit in UNIT)
      return r?.freq && !(pace && daysOnly(r)) ? true : set(UNIT[unit]!, unit === "fortnight" ? { interval: 2 } : {});
    return set(r?.freq ?? "DAILY", { part: unit as DayPart });
  });
  c.scan(RE_ADVERB, (m) => {
    const [freq, interval] = ADVERB[m[1]!]!;
    return r?.freq && !(daysOnly(r) && freq === "HOURLY") ? true : set(freq, { interval });
  });
  c.scan(RE_EVERY_MONTHNAME, () => set("YEARLY"));
  c.scan(RE_REPEAT, () => set(null));
  if (forNext) {
    // "for the next 3 days" bounds the rule, and repeats it when nothing else said how often.
    const { n, unit } = forNext;
    const weekday = /^(?:mon|tues|wednes|thurs|fri|satur|sun)days?$/.test(unit);
    const freq: Freq = weekday || /^week/.test(unit) ? "WEEKLY" : /^month/.test(unit) ? "MONTHLY" : "DAILY";
    const length = readDuration(`${n} ${weekday ? "weeks" : unit}`) ?? undefined;
    if (r) set(null, { length });
    else if (!/^(?:hour|minute)/.test(unit)) set(freq, { length, ...(weekday ? { byday: days(unit) } : {}) });
  }
  if (!r) return null;
  const rec: Recur = r;
  if (except.length) rec.except = except;
  const after = c.masked();
  rec.at = [...after].findIndex((ch, i) => ch !== before[i]);
  c.scan(RE_UNTIL, (m) => {
    rec.untilAt = m.index + m[0].length;
    return true;
  });
  c.scan(RE_FOR, (m) => {
    const d = readDuration(m[1]!);
    if (!d) return false;
    rec.length = d;
    return true;
  });
  c.scan(RE_TIMES, (m) => {
    rec.count = +m[1]!;
    return true;
  });
  return rec;
}
