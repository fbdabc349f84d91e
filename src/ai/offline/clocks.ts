import { B, E, rx, type Claims } from "./scan.js";
import { UNIT_WORD } from "./durations.js";
import { EVENT_NOUN, MONTH } from "./vocab.js";
import type { Clock, When } from "./when.js";

/**
 * Clock times: "5 pm", "17:30", "5 30" (from "five thirty"), "730 am" (from "seven hundred and thirty am"),
 * "quarter past 6", "noon", "at 5". Records the stated meridiem; guessing a missing one is resolve.ts's job.
 */

export type { Clock } from "./when.js";

const NOT_A_TIME_AFTER = new RegExp(
  `^(?:${UNIT_WORD}|${MONTH}|people|persons|guests|times|of|percent|%|x|more|dollars|bucks|pounds|euros|songs|items|things|kids|hundred|thousand|st|nd|rd|th|degrees|miles|km|calories|pages|reps|pills|tablets|cups|glasses|year-old|years-old)$`,
);
/** One event noun: a clock right before one describes the event ("my 2 pm appointment"). */
export const EVENT_AFTER = new RegExp(`^${EVENT_NOUN}$`);

const wordsAfter = (s: string, end: number, n: number): string[] =>
  s.slice(end).trim().split(" ").filter(Boolean).slice(0, n);

function clockFrom(
  h: number,
  m: number,
  mer: string | undefined,
  fixed: boolean,
  start: number,
  end: number,
  s: string,
): Clock | null {
  if (m > 59 || h > 24) return null;
  if (mer && (h > 12 || h === 0)) {
    if (h > 12) return { h, m, fixed: true, attributive: false, start, end };
    mer = "am";
  }
  const after = wordsAfter(s, end, 2);
  const next = after[0] === "o'clock" ? after[1] : after[0];
  const isFixed = fixed || h > 12 || h === 0;
  return {
    h: h === 24 ? 0 : h,
    m,
    mer: mer === "am" || mer === "pm" ? mer : undefined,
    fixed: isFixed,
    attributive: next !== undefined && EVENT_AFTER.test(next),
    start,
    end,
  };
}

/** "730" → 7:30, "1300" → 13:00; null when not a clock reading or a likely year. */
function hundreds(v: string): { h: number; m: number; fixed: boolean } | null {
  const n = Number(v);
  const h = Math.floor(n / 100),
    m = n % 100;
  if (h > 23 || m > 59 || (h === 0 && v.length < 4)) return null;
  return { h, m, fixed: v.length === 4 && (h > 12 || v.startsWith("0")) };
}

const RE_HHMM = rx(`${B}(\\d{1,2}):(\\d{2})(?: (am|pm))?${E}`);
const RE_HUNDREDS_MER = rx(`${B}(\\d{3,4}) (am|pm|hours|hrs)${E}`);
const RE_H_MER = rx(`${B}(\\d{1,2})(?: (\\d{2}))? (am|pm)${E}`);
const RE_OCLOCK = rx(`${B}(\\d{1,2})(?: (\\d{2}))? o'clock(?: (am|pm))?${E}`);
const RE_NOON = rx(`${B}(?:12 )?(noon|midday|midnight)${E}`);
const RE_PAST = rx(`${B}(quarter|half|\\d{1,2}) (?:minutes )?(?:past|after) (\\d{1,2}|noon|midnight)(?: (am|pm))?${E}`);
const RE_QUARTER_TO = rx(
  `${B}(quarter|\\d{1,2}) (?:minutes )?(?:to|till|til|of) (\\d{1,2}|noon|midnight)(?: (am|pm))?${E}`,
);
/** The hour of "past"/"to" as a 24-hour reading: noon and midnight need no am/pm guess. */
const hourOf = (w: string): { h: number; fixed: boolean } =>
  w === "noon" ? { h: 12, fixed: true } : w === "midnight" ? { h: 24, fixed: true } : { h: +w, fixed: false };
const RE_PREP_H = rx(
  `${B}(at|by|for|until|till|til|around|about|from|to|between|before|after|@|and|(?:when|once) it(?: is|'s| gets to| hits)|(?<=\\b(?:make|change|set) )it) (\\d{3,4}|\\d{1,2}(?: \\d{2})?)${E}`,
);
const RE_PAIR = rx(`${B}(\\d{1,2}) (\\d{2})${E}`);

const quarter = (w: string) => (w === "quarter" ? 15 : w === "half" ? 30 : Number(w));

/** Reads every clock time in the text into `w.clocks`, linking range ends to their starts ("2 and 4 pm"). */
export function extractClocks(c: Claims, w: When, s: string): void {
  const push = (k: Clock | null) => {
    if (k) w.clocks.push(k);
    return k !== null;
  };
  c.scan(RE_PAST, (m) => {
    const { h, fixed } = hourOf(m[2]!);
    return push(clockFrom(h === 24 ? 0 : h, quarter(m[1]!), m[3], fixed, m.index, m.index + m[0].length, s));
  });
  c.scan(RE_QUARTER_TO, (m) => {
    if (m[1] !== "quarter" && !/minutes/.test(m[0]) && !/noon|midnight/.test(m[2]!)) return false;
    const { h: next, fixed } = hourOf(m[2]!);
    const h = next - 1;
    const k = clockFrom(
      h <= 0 && !fixed ? h + 12 : h,
      60 - quarter(m[1]!),
      m[3],
      fixed,
      m.index,
      m.index + m[0].length,
      s,
    );
    return push(k);
  });
  c.scan(RE_HHMM, (m) =>
    push(
      clockFrom(+m[1]!, +m[2]!, m[3], m[1]!.length === 2 && m[1]!.startsWith("0"), m.index, m.index + m[0].length, s),
    ),
  );
  c.scan(RE_HUNDREDS_MER, (m) => {
    const hh = hundreds(m[1]!);
    if (!hh) return false;
    const mer = m[2] === "am" || m[2] === "pm" ? m[2] : undefined;
    return push(clockFrom(hh.h, hh.m, mer, hh.fixed || !mer, m.index, m.index + m[0].length, s));
  });
  c.scan(RE_OCLOCK, (m) => push(clockFrom(+m[1]!, m[2] ? +m[2] : 0, m[3], false, m.index, m.index + m[0].length, s)));
  c.scan(RE_H_MER, (m) => push(clockFrom(+m[1]!, m[2] ? +m[2] : 0, m[3], false, m.index, m.index + m[0].length, s)));
  c.scan(RE_NOON, (m) => {
    const midnight = m[1] === "midnight";
    w.clocks.push({
      h: midnight ? 0 : 12,
      m: 0,
      fixed: true,
      midnight,
      attributive: false,
      start: m.index,
      end: m.index + m[0].length,
    });
    return true;
  });
  c.scan(RE_PREP_H, (m) => {
    const prep = m[1]!,
      num = m[2]!;
    const after = wordsAfter(s, m.index + m[0].length, 1)[0];
    if (after !== undefined && NOT_A_TIME_AFTER.test(after)) return false;
    const before = s.slice(0, m.index).trimEnd().split(" ").pop() ?? "";
    // "to 6" and "and 4" are times only as the end of a range ("from 4 to 6", "between 2 and 4") or, for
    // "and", as the next of a list ("at 8 in the morning and 4 in the afternoon").
    const listed = prep === "and" && w.clocks.some((k) => k.end <= m.index && m.index - k.end < 25);
    if ((prep === "to" || prep === "and") && !listed && !/^\d/.test(before) && !/^(am|pm|o'clock)$/.test(before)) {
      if (
        prep === "and" ||
        (after !== undefined && !/^(am|pm|on|this|tonight|tomorrow|today|in|at|please)$/.test(after))
      )
        return false;
    }
    let k: Clock | null;
    if (/^\d{3,4}$/.test(num)) {
      const hh = hundreds(num);
      if (!hh || (+num >= 1900 && +num <= 2099)) return false;
      k = clockFrom(hh.h, hh.m, undefined, hh.fixed, m.index + prep.length + 1, m.index + m[0].length, s);
    } else {
      const [h, mm] = num.split(" ");
      k = clockFrom(+h!, mm ? +mm : 0, undefined, false, m.index + prep.length + 1, m.index + m[0].length, s);
    }
    if (
      k &&
      (prep === "to" || prep === "and" || prep === "till" || prep === "until") &&
      /^(\d+|am|pm|o'clock)$/.test(before)
    )
      k.rangeEnd = true;
    return push(k);
  });
  c.scan(RE_PAIR, (m) => {
    const after = wordsAfter(s, m.index + m[0].length, 1)[0];
    if (after !== undefined && NOT_A_TIME_AFTER.test(after)) return false;
    if (+m[1]! > 23) return false;
    return push(clockFrom(+m[1]!, +m[2]!, undefined, false, m.index, m.index + m[0].length, s));
  });
  w.clocks.sort((a, b) => a.start - b.start);
  // A day part right after a clock settles that clock's meridiem ("at 8 in the morning and 4 in the afternoon").
  for (const k of w.clocks) {
    if (k.mer || k.fixed) continue;
    const part = /^ (?:in the |this |at )?(morning|afternoon|evening|night)\b/.exec(s.slice(k.end))?.[1];
    if (part) k.mer = part === "morning" || (part === "night" && k.h <= 4) ? "am" : "pm";
  }
  // A bare start takes the meridiem of a stated end: "between 2 and 4 pm", "from 11 to 1 pm"; "and" joins
  // a range only after "between" ("at 9am and 9pm" is two times). Walk backwards so "at 9 10 and 11 am"
  // hands the meridiem down the list.
  for (let i = w.clocks.length - 2; i >= 0; i--) {
    const a = w.clocks[i]!,
      b = w.clocks[i + 1]!;
    const between = s
      .slice(a.end, b.start)
      .replace(/\b(?:in the |this |at )?(?:morning|afternoon|evening|night)\b|\bo'clock\b/g, " ")
      .trim();
    if (between === "and" || between === "" || between === "or") {
      const opener = s.slice(0, a.start).trimEnd().split(" ").pop();
      if (between === "and" && opener === "between") b.rangeEnd = true;
      else if (between !== "or") b.listed = true;
      else continue;
    } else if (/^(to|till|until|til|through|thru|-)$/.test(between)) b.rangeEnd = true;
    else continue;
    if (a.mer || a.fixed || !b.mer) continue;
    // "from 11 to 1 pm" crosses noon; "at 9 and 9 pm" is left to the usual guess, not read as 21:00 twice.
    if (b.listed && a.h % 12 === b.h % 12) continue;
    a.mer = a.h % 12 <= b.h % 12 ? b.mer : b.mer === "pm" ? "am" : "pm";
  }
}
