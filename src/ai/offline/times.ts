import * as chrono from "chrono-node";
import { B, E, rx, type Claims } from "./scan.js";
import { addMonths, todayIn } from "./calendar.js";
import { DURATION, readDuration, type Duration } from "./durations.js";
import { MONTH, WD, weekdayNumber } from "./vocab.js";
import { EVENT_AFTER, extractClocks, type Clock } from "./clocks.js";

export type { Clock };

/**
 * Extraction of the "when" of a message: clock times, dates, day parts, offsets from now and the
 * phrases that make a time unknowable ("when i get home", "next week"). Nothing is resolved to an
 * instant here (see resolve.ts): this only records what the words say and claims them.
 */

export type DayPart = "morning" | "afternoon" | "evening" | "night";

export type DateRef =
  | { kind: "ymd"; y?: number; m: number; d: number; wd?: number }
  | { kind: "weekday"; wd: number; mod: "bare" | "this" | "next" }
  | { kind: "days"; n: number }
  /** `wd` when a weekday was named with it ("monday the 20th"): only a 20th that is a Monday. */
  | { kind: "dom"; d: number; wd?: number }
  | { kind: "holiday"; name: string };

export interface DateHit {
  ref: DateRef;
  start: number;
  end: number;
  /** "tomorrow's meeting": names the event's day, weaker than a plain date. */
  possessive: boolean;
  /** Follows the previous date in a list ("saturday and sunday"): a further day, not a conflict. */
  listed?: boolean;
}

/** A duration before or after some anchor: "30 minutes before that", "3 weeks before thanksgiving". */
export interface Anchored {
  duration: Duration;
  sign: -1 | 1;
  /** What the offset counts from: a time stated elsewhere in the message, today, or an unknown event. */
  anchor: "stated" | "event";
}

export interface When {
  clocks: Clock[];
  dates: DateHit[];
  dayParts: Array<{ part: DayPart; today: boolean; start: number; end: number }>;
  /** Offset from now: "in 20 minutes", "2 hours from now", a timer's length. */
  offset?: Duration;
  /** The offset counts whole days from today ("a week from today"): a date, 09:00 unless a time is given. */
  offsetIsDate?: boolean;
  /** The offset came from "for N minutes" (a timer length), which recurrence bounds also use. */
  offsetIsLength?: boolean;
  anchored?: Anchored;
  /** A span the schema cannot pin down: "next week", "this weekend". */
  vague?: { what: string; start: number };
  /** Triggered by an event, not a time: "when i get home". */
  trigger?: string;
  /** Points into the past: "yesterday", "last monday". */
  past?: boolean;
  /**
   * Where a request to be reminded ends when other words come before it ("the meeting is at 10, remind me
   * at 9"): a time said right after it is the reminder's own.
   */
  requestEnd?: number;
}

const RE_REQUEST =
  /\b(?:remind me|alert me|notify me|ping me|wake me(?: up)?|set (?:a |an |the |my )?(?:reminder|alarm|alert)(?: for| at)?)\b/g;

// "alert me 10 min before" with nothing after: before the time the message already named.
const RE_ANCHORED = rx(
  `${B}(${DURATION}) (before|prior to|ahead of|earlier than|after|later than)(?: ([\\w' ]+)|(?=$| (?:please|thanks|ok)$))`,
);
const RE_OFFSET_IN = rx(`${B}(?:in|within|after|in another|in about|in around|in like) (${DURATION})${E}`);
const RE_OFFSET_FROM = rx(
  `${B}(${DURATION}) (?:from now|later|hence|from today|from tomorrow|from this day|from right now)${E}`,
);
const RE_FOR_LENGTH = rx(`${B}(?:for|of) (${DURATION})${E}`);
const RE_TIMER_LENGTH = rx(
  `${B}(${DURATION}) (?:timer|countdown|count down)${E}|(?<=\\b(?:alarm|timer|countdown|time) (?:to )?)(${DURATION})${E}(?! (?:before|after|early|earlier|later|from|ago))`,
);
/** "when it is 5 pm" names a time, not an event to wait for: the words are claimed once the clock is read. */
const NAMES_A_TIME = /^(?: is| gets to| hits)? (?:\d|noon|midnight)/;
const RE_WHEN_IT_IS = rx(
  `${B}(?:when|once|as soon as) (?:it is|it's|its|it gets to|it hits|the clock (?:says|strikes|hits|reads))${E}`,
);
const RE_TRIGGER = rx(
  `${B}(?:when|whenever|as soon as|once|if) (?:i|i'm|we|you|he|she|they|it|it's|my|the|our|his|her|their|someone|somebody|there)${E}`,
);

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
const RE_DOM = rx(
  `${B}(?:(?:on|for|by|until|till) )?(?:the )?(\\d{1,2})(?:st|nd|rd|th)${E}(?! (?:of|day|week|month|time|floor|century|birthday|anniversary|${WD}))`,
);
const RE_DAYPART = rx(
  `${B}(?:(this|today's|todays|today|tomorrow's|in the|the|early|late|every|each) )?(?:(early|late) )?(morning|afternoon|evening|night|tonight)s?${E}`,
);
const RE_VAGUE = rx(
  `${B}(?:(?:sometime|some time|early|later|late|the end of|end of|rest of|remainder of|the rest of|the remainder of) )?(?:(?:next|this|the|coming|following|upcoming) )(week|month|year|weekend)${E}|${B}(?:first|second|last|1st|2nd|3rd|4th) week of ${MONTH}${E}|${B}(?:sometime|someday|soon|later today|later on|in the future|over the weekend|on the weekend|at the weekend|this weekend)${E}`,
);
const MONTH_NUMBER: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const RE_MONTH_DAY = rx(
  `${B}(?:(${MONTH}) (?:the )?(\\d{1,2})(?:st|nd|rd|th)?|(?:the )?(\\d{1,2})(?:st|nd|rd|th)? (?:of )?(${MONTH}))${E}`,
);
const MAY_HAVE_DATE = new RegExp(`${B}${MONTH}${E}|\\d{1,2}/\\d{1,2}|\\d{4}-\\d{2}-\\d{2}`);
const WD_NEXT_WEEK = new RegExp(`${WD} (?:of )?next week|next week(?: on)? ${WD}`);
const RE_HOLIDAY = rx(
  `${B}(christmas eve|christmas|xmas|new year's eve|new years eve|new year's day|new years day|new year's|new years|halloween|valentine's day|valentines day|thanksgiving|independence day|mother's day|mothers day|father's day|fathers day|memorial day|labor day)${E}`,
);

function extractOffsets(c: Claims, w: When, s: string): void {
  c.scan(RE_ANCHORED, (m) => {
    const duration = readDuration(m[1]!);
    if (!duration) return false;
    const rest = (m[3] ?? "that").trim();
    const sign = /^(after|later)/.test(m[2]!) ? 1 : -1;
    const headEnd = m.index + m[1]!.length + 1 + m[2]!.length;
    const anchorWord = /^(that|then|it|this day|this|today|now|tomorrow)\b/.exec(rest)?.[0];
    c.claim(m.index, headEnd + (anchorWord ? anchorWord.length + 1 : 0));
    if (anchorWord && /^(today|this day|now|tomorrow)$/.test(anchorWord)) {
      // "2 days after today" is an offset from today, not from an event.
      w.offset = anchorWord === "tomorrow" ? { ...duration, minutes: duration.minutes + 1440 * sign } : duration;
      w.offsetIsDate = anchorWord !== "now";
      if (sign < 0) w.past = true;
      return false;
    }
    if (anchorWord) {
      w.anchored = { duration, sign, anchor: "stated" };
      return false;
    }
    const head = rest.split(" ").slice(0, 5).join(" ");
    RE_HOLIDAY.lastIndex = 0;
    const stated = /\b\d{1,2}(?::\d{2})? ?(?:am|pm|o'clock)\b|\bnoon\b/.test(head) || RE_HOLIDAY.test(head);
    RE_HOLIDAY.lastIndex = 0;
    w.anchored = { duration, sign, anchor: stated ? "stated" : "event" };
    return false;
  });
  c.scan(RE_OFFSET_FROM, (m) => {
    const d = readDuration(m[1]!);
    if (!d) return false;
    w.offset = /from tomorrow/.test(m[0]) ? { ...d, minutes: d.minutes + 1440 } : d;
    w.offsetIsDate = /from (today|tomorrow|this day)/.test(m[0]);
    return true;
  });
  c.scan(RE_OFFSET_IN, (m) => {
    const d = readDuration(m[1]!);
    if (!d) return false;
    w.offset = d;
    return true;
  });
  c.scan(RE_TIMER_LENGTH, (m) => {
    const d = readDuration((m[1] ?? m[2])!);
    if (!d) return false;
    w.offset = d;
    w.offsetIsLength = true;
    return true;
  });
  if (
    /\b(timer|countdown|alarm|remind|reminder|alert|stopwatch|time me|time my)\b|\bset (?:the )?time\b/.test(s) &&
    !w.offset
  ) {
    c.scan(RE_FOR_LENGTH, (m) => {
      const d = readDuration(m[1]!);
      if (!d || w.offset) return false;
      w.offset = d;
      w.offsetIsLength = true;
      return true;
    });
  }
}

function extractChronoDates(c: Claims, w: When, ref: Date): void {
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
function extractMonthDays(c: Claims, w: When): void {
  c.scan(RE_MONTH_DAY, (m) => {
    const month = MONTH_NUMBER[(m[1] ?? m[4])!.slice(0, 3)]!;
    const d = +(m[2] ?? m[3])!;
    if (d < 1 || d > 31 || (m[1] === "may" && !/\d(st|nd|rd|th)/.test(m[0]) && !/^may \d/.test(m[0]))) return false;
    w.dates.push({ ref: { kind: "ymd", m: month, d }, start: m.index, end: m.index + m[0].length, possessive: false });
    return true;
  });
}

function extractDays(c: Claims, w: When, s: string): void {
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

function extractDayParts(c: Claims, w: When, s: string): void {
  c.scan(RE_DAYPART, (m) => {
    const mod = m[1],
      raw = m[3]!;
    if (mod === "every" || mod === "each") return false;
    // "the evening program" names an event; "the evening of the 12th", "for the morning" are times.
    const next =
      s
        .slice(m.index + m[0].length)
        .trim()
        .split(" ")[0] ?? "";
    const prev = mod ?? s.slice(0, m.index).trim().split(" ").pop();
    if (
      prev === "the" &&
      next &&
      !/^(?:of|at|on|in|to|for|and|or|please|tomorrow|today|tonight|with|by|before|after|until|till|when|so|then|\d.*|am|pm|this|next|every|remind|set|thanks)$/.test(
        next,
      )
    )
      return false;
    const part = (raw === "tonight" ? "night" : raw) as DayPart;
    const today = raw === "tonight" || /^(this|today)/.test(mod ?? "");
    if (/^tomorrow/.test(mod ?? ""))
      w.dates.push({
        ref: { kind: "days", n: 1 },
        start: m.index,
        end: m.index + m[0].length,
        possessive: /'s$/.test(mod!),
      });
    else if (today)
      w.dates.push({
        ref: { kind: "days", n: 0 },
        start: m.index,
        end: m.index + m[0].length,
        possessive: /'s$|todays/.test(mod ?? ""),
      });
    w.dayParts.push({ part, today, start: m.index, end: m.index + m[0].length });
    return true;
  });
}

/**
 * Reads every time expression in the normalized message `s`, claiming the words it explains.
 * `ref` (now) and `tz` only pick years and months ("the 12th of next month"); resolution to instants happens
 * in resolve.ts.
 */
export function extractWhen(c: Claims, ref: Date, tz = "UTC"): When {
  const s = c.text;
  const w: When = { clocks: [], dates: [], dayParts: [] };
  c.scan(RE_TRIGGER, (m) => {
    if (/\bit(?:'s)?$/.test(m[0]) && NAMES_A_TIME.test(s.slice(m.index + m[0].length))) return false;
    w.trigger = m[0];
    return false;
  });
  extractOffsets(c, w, s);
  extractClocks(c, w, s);
  c.scan(RE_WHEN_IT_IS, (m) => /^ (?:\d|noon|midnight)/.test(s.slice(m.index + m[0].length)));
  extractChronoDates(c, w, ref);
  extractMonthDays(c, w);
  // Before "this month" is read as a vague span.
  const today = todayIn(ref, tz);
  c.scan(RE_DOM_OF_MONTH, (m) => {
    const d = +m[1]!;
    const month = addMonths({ ...today, d: 1 }, m[2] === "next" ? 1 : 0);
    if (d < 1 || d > 31) return false;
    const at = { start: m.index, end: m.index + m[0].length, possessive: false };
    w.dates.push({ ref: { kind: "ymd", y: month.y, m: month.m, d }, ...at });
    return true;
  });
  c.scan(RE_VAGUE, (m) => {
    // "next week" with a weekday is handled as a date ("monday next week").
    if (WD_NEXT_WEEK.test(s)) return false;
    // "at 3 pm later today" is today; "later today" alone still leaves the time open.
    if (m[0] === "later today" && w.clocks.length) {
      w.dates.push({ ref: { kind: "days", n: 0 }, start: m.index, end: m.index + m[0].length, possessive: false });
      return true;
    }
    w.vague ??= { what: m[0], start: m.index };
    return true;
  });
  extractDays(c, w, s);
  extractDayParts(c, w, s);
  w.dates.sort((a, b) => a.start - b.start);
  w.dates = linkDates(w.dates, s);
  const request = [...s.matchAll(RE_REQUEST)].pop();
  if (request?.index) w.requestEnd = request.index + request[0].length;
  return w;
}

/**
 * Joins a weekday to the date right after it ("monday the 20th", "friday june 26") into one date that
 * must fall on that weekday, and marks dates listed with "and" ("saturday and sunday") as further days.
 */
function linkDates(dates: DateHit[], s: string): DateHit[] {
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
