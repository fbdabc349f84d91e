import { todayIn } from "./calendar.js";
import { extractClocks, type Clock } from "./clocks.js";
import { extractChronoDates, extractDays, extractMonthDays, extractMonthOf, linkDates, RE_HOLIDAY } from "./dates.js";
import { DURATION, readDuration } from "./durations.js";
import { B, E, rx, type Claims } from "./scan.js";
import { MONTH, WD } from "./vocab.js";

export type { Clock };
export type { Anchored, DateHit, DateRef, DayPart, When } from "./when.js";
import type { DayPart, When } from "./when.js";

/**
 * Extraction of the "when" of a message: clock times, dates, day parts, offsets from now and the
 * phrases that make a time unknowable ("when i get home", "next week"). Nothing is resolved to an
 * instant here (see resolve.ts): this only records what the words say and claims them.
 */

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

const RE_DAYPART = rx(
  `${B}(?:(this|today's|todays|today|tomorrow's|in the|the|early|late|every|each) )?(?:(early|late) )?(morning|afternoon|evening|night|tonight)s?${E}`,
);
const RE_VAGUE = rx(
  `${B}(?:(?:sometime|some time|early|later|late|the end of|end of|rest of|remainder of|the rest of|the remainder of) )?(?:(?:next|this|(?<=\\b(?:in|for|during|by|over|within|through|of|until|till|before|after) )the|coming|following|upcoming) )(week|month|year|weekend)${E}|${B}(?:first|second|last|1st|2nd|3rd|4th) week of ${MONTH}${E}|${B}(?:sometime|someday|soon|later today|later on|in the future|over the weekend|on the weekend|at the weekend|this weekend)${E}`,
);
const WD_NEXT_WEEK = new RegExp(`${WD} (?:of )?next week|next week(?: on)? ${WD}`);
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
  extractMonthOf(c, w, todayIn(ref, tz));
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
