import * as chrono from "chrono-node";
import { addMonths, daysInMonth, type Ymd } from "./calendar.js";
import { EVENT_AFTER } from "./clocks.js";
import { B, E, rx, type Claims } from "./scan.js";
import type { DateHit, DateRef, When } from "./when.js";
import { MONTH, MONTH_NUMBER, WD, weekdayNumber } from "./vocab.js";

/**
 * Calendar days in a message: "tomorrow", "friday", "next monday", "the 3rd", "march 8th" (chrono-node),
 * holidays, and how they combine ("monday the 20th", "saturday and sunday"). Records what the words say;
 * resolve.ts turns them into dates.
 */

const RE_REL_DAY = rx(
  `${B}(?:(?:the )?day after (tomorrow)|(today|tomorrow|tonight|yesterday|this day|this date)('s|s)?)${E}`,
);

const RE_NEXT_WEEK_WD = rx(`${B}(?:(?:on )?(${WD}) (?:of )?next week|next week(?: on)? (${WD}))${E}`);

const RE_WEEKDAY = rx(
  `${B}(?:(this coming|the coming|coming|on this|on next|this|next|the next|last|past|on|for|by|until|till|every|each) )?(${WD})('s|s)?${E}`,
);

const RE_DOM_OF_MONTH = rx(
  `${B}(?:(?:on|for|by|until|till) )?(?:the )?(\\d{1,2})(?:st|nd|rd|th)? of (this|next) month${E}`,
);
/** "by the end of the month", "on the first day of next month": one day, not a monthly repeat. */
const RE_MONTH_EDGE_OF = rx(
  `${B}(?:(?:on|for|by|until|till|at|before) )?(?:the )?(end|last day|start|beginning|first day|1st day|1st) of (the|this|next) month${E}`,
);

const RE_DOM = rx(
  `${B}(?:(?:on|for|by|until|till) )?(?:the )?(\\d{1,2})(?:st|nd|rd|th)${E}(?! (?:of|day|week|month|time|floor|century|birthday|anniversary|${WD}))`,
);

const RE_MONTH_DAY = rx(
  `${B}(?:(${MONTH}) (?:the )?(\\d{1,2})(?:st|nd|rd|th)?|(?:the )?(\\d{1,2})(?:st|nd|rd|th)? (?:of )?(${MONTH}))${E}`,
);

const MAY_HAVE_DATE = new RegExp(`${B}${MONTH}${E}|\\d{1,2}/\\d{1,2}|\\d{4}-\\d{2}-\\d{2}`);

export const RE_HOLIDAY = rx(
  `${B}(christmas eve|christmas|xmas|new year's eve|new years eve|new year's day|new years day|new year's|new years|halloween|valentine's day|valentines day|thanksgiving|independence day|mother's day|mothers day|father's day|fathers day|memorial day|labor day)${E}`,
);

export function extractChronoDates(c: Claims, w: When, ref: Date): void {
  const masked = c.masked();
  if (!MAY_HAVE_DATE.test(masked)) return;
  for (const r of chrono.casual.parse(masked, ref)) {
    const k = r.start;
    if (!k.isCertain("month") || !k.isCertain("day")) continue;
    // "may" and "march" are also verbs: require a day number right beside the month.
    if (!/\d/.test(r.text)) continue;
    // "august 2nd to august 3rd": two dates, so an edit can tell the old day from the new one.
    const range = r.end && /\s(?:to|until|till|through|thru)\s/.exec(r.text);
    const first = range ? r.text.slice(0, range.index) : r.text;
    w.dates.push({ ref: ymdOf(k), start: r.index, end: r.index + first.length, possessive: false });
    if (range && r.end?.isCertain("month") && r.end.isCertain("day")) {
      const at = r.index + range.index + range[0].length;
      w.dates.push({ ref: ymdOf(r.end), start: at, end: r.index + r.text.length, possessive: false });
    }
    // Claim only the date words; chrono's span can include a time we read ourselves.
    const dateOnly = r.text.replace(/\s+(at|@)\s.*$/, "");
    c.claim(r.index, r.index + dateOnly.length);
  }
}

/** A chrono reading as a date ref; "friday june 26" keeps its weekday to check (chrono counts Sunday as 0). */
function ymdOf(k: chrono.ParsedComponents): DateRef {
  const year = k.isCertain("year") ? (k.get("year") ?? undefined) : undefined;
  const ref: DateRef = { kind: "ymd", y: year, m: k.get("month")!, d: k.get("day")! };
  if (k.isCertain("weekday")) ref.wd = ((k.get("weekday")! + 6) % 7) + 1;
  return ref;
}

/** Month and day chrono turned down because the day does not exist in the year it assumed ("feb 29" in 2027). */
export function extractMonthDays(c: Claims, w: When): void {
  c.scan(RE_MONTH_DAY, (m) => {
    const month = MONTH_NUMBER[(m[1] ?? m[4])!.slice(0, 3)]!;
    const d = +(m[2] ?? m[3])!;
    if (d < 1 || d > 31 || (m[1] === "may" && !/\d(st|nd|rd|th)/.test(m[0]) && !/^may \d/.test(m[0]))) return false;
    w.dates.push({ ref: { kind: "ymd", m: month, d }, start: m.index, end: m.index + m[0].length, possessive: false });
    return true;
  });
}

export function extractDays(c: Claims, w: When, s: string): void {
  c.scan(RE_REL_DAY, (m) => {
    const word = m[1] ?? m[2]!;
    const possessive = m[3] !== undefined && !/^(this)/.test(word);
    const at = { start: m.index, end: m.index + m[0].length, possessive };
    if (word === "yesterday") w.past = true;
    else if (m[1]) w.dates.push({ ref: { kind: "days", n: 2 }, ...at });
    else if (word === "tomorrow") w.dates.push({ ref: { kind: "days", n: 1 }, ...at });
    else if (word === "tonight") {
      w.dates.push({ ref: { kind: "days", n: 0 }, ...at });
      w.dayParts.push({ part: "night", today: true, start: m.index, end: m.index + m[0].length });
    } else w.dates.push({ ref: { kind: "days", n: 0 }, ...at });
    return true;
  });
  c.scan(RE_NEXT_WEEK_WD, (m) => {
    w.dates.push({
      ref: { kind: "weekday", wd: weekdayNumber(m[1] ?? m[2]!), mod: "next" },
      start: m.index,
      end: m.index + m[0].length,
      possessive: false,
    });
    return true;
  });
  c.scan(RE_WEEKDAY, (m) => {
    const mod = m[1],
      name = m[2]!,
      suffix = m[3];
    if (name.length <= 4 && !mod && !/^(mon|tues|thurs|fri)$/.test(name)) return false;
    if (mod === "last" || mod === "past") {
      w.past = true;
      return true;
    }
    const next =
      s
        .slice(m.index + m[0].length)
        .trim()
        .split(" ")[0] ?? "";
    const possessive = suffix === "'s" || (suffix === "s" && EVENT_AFTER.test(next));
    const kind =
      mod === undefined ? "bare" : /next/.test(mod) ? "next" : /^(this|on this)$/.test(mod) ? "this" : "bare";
    w.dates.push({
      ref: { kind: "weekday", wd: weekdayNumber(name), mod: kind },
      start: m.index,
      end: m.index + m[0].length,
      possessive,
    });
    return true;
  });
  c.scan(RE_DOM, (m) => {
    const d = +m[1]!;
    if (d < 1 || d > 31) return false;
    w.dates.push({ ref: { kind: "dom", d }, start: m.index, end: m.index + m[0].length, possessive: false });
    return true;
  });
  c.scan(RE_HOLIDAY, (m) => {
    w.dates.push({
      ref: { kind: "holiday", name: m[1]!.replace(/'/g, "") },
      start: m.index,
      end: m.index + m[0].length,
      possessive: true,
    });
    return true;
  });
}

/**
 * Joins a weekday to the date right after it ("monday the 20th", "friday june 26") into one date that
 * must fall on that weekday, and marks dates listed with "and" ("saturday and sunday") as further days.
 */
export function linkDates(dates: DateHit[], s: string): DateHit[] {
  const out: DateHit[] = [];
  for (const d of dates) {
    const prev = out[out.length - 1];
    const between = prev ? s.slice(prev.end, d.start).trim() : "";
    if (
      prev?.ref.kind === "weekday" &&
      prev.ref.mod !== "next" &&
      (d.ref.kind === "dom" || d.ref.kind === "ymd") &&
      /^(?:|the|of|on)$/.test(between)
    ) {
      out[out.length - 1] = { ...d, ref: { ...d.ref, wd: prev.ref.wd }, start: prev.start };
      continue;
    }
    if (prev && !d.possessive && !prev.possessive && /^(?:and|&|)$/.test(between)) d.listed = true;
    out.push(d);
  }
  return out;
}

/** "the 12th of this month", "the 3rd of next month": read before "this month" becomes a vague span. */
export function extractMonthOf(c: Claims, w: When, today: Ymd): void {
  c.scan(RE_DOM_OF_MONTH, (m) => {
    const d = +m[1]!;
    const month = addMonths({ ...today, d: 1 }, m[2] === "next" ? 1 : 0);
    if (d < 1 || d > 31) return false;
    const at = { start: m.index, end: m.index + m[0].length, possessive: false };
    w.dates.push({ ref: { kind: "ymd", y: month.y, m: month.m, d }, ...at });
    return true;
  });
  c.scan(RE_MONTH_EDGE_OF, (m) => {
    const last = m[1] === "end" || m[1] === "last day";
    // The start of "the month" already begun is the next one's.
    const month = addMonths({ ...today, d: 1 }, m[2] === "next" || (!last && today.d > 1) ? 1 : 0);
    const d = last ? daysInMonth(month.y, month.m) : 1;
    w.dates.push({
      ref: { kind: "ymd", y: month.y, m: month.m, d },
      start: m.index,
      end: m.index + m[0].length,
      possessive: false,
    });
    return true;
  });
}
