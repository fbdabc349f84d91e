import { DateTime } from "luxon";
import { instantToWall } from "../../time/index.js";
import { addDays, addMonths, at, compareYmd, holiday, isValidYmd, todayIn, weekdayOf, type Ymd } from "./calendar.js";
import type { Clock, DateHit, DateRef, DayPart, When } from "./times.js";

/**
 * Turns what extractWhen read into instants, applying the product's conventions (see CONVENTIONS.md of
 * the evaluation set): bare hours 1–6 are pm and 7–11 am, day parts have default hours, a date without a
 * time is 09:00, "next <weekday>" is that day of the next Monday–Sunday week, past dates roll forward.
 */

export interface Context {
  now: Date;
  tz: string;
}

/** Words around the time that settle am/pm: "wake me at 6" is morning, "dinner at 8" evening. */
export interface Hints {
  wake: boolean;
  evening: boolean;
}

export type Outcome = { kind: "at"; at: Date } | { kind: "ask"; question: string } | { kind: "none" };

export const PART_HOUR: Record<DayPart, number> = { morning: 9, afternoon: 15, evening: 18, night: 20 };
const PART_WINDOW: Record<DayPart, [number, number]> = {
  morning: [5, 12],
  afternoon: [12, 17],
  evening: [17, 21],
  night: [20, 24],
};

export const ASK_WHEN = "When should I remind you?";
const ASK_DAY = "Which day and time should I remind you?";
const ASK_PASSED = "That time has already passed. When should I remind you instead?";
const ASK_EVENT = "I can only remind you at a set time. What time should that be?";

/** The calendar date a date phrase names, or null when it names a past or impossible date. */
export function dateOf(ref: DateRef, today: Ymd): Ymd | null {
  switch (ref.kind) {
    case "days":
      return addDays(today, ref.n);
    case "weekday": {
      const wd = weekdayOf(today);
      if (ref.mod === "next") return addDays(today, 8 - wd + ref.wd - 1);
      const ahead = (ref.wd - wd + 7) % 7;
      // A bare weekday equal to today means next week's; "this friday" said on a Friday means today.
      return addDays(today, ahead === 0 && ref.mod === "bare" ? 7 : ahead);
    }
    case "ymd": {
      // A weekday named with it must agree ("friday june 26"); a disagreement is a conflict (issues.ts).
      const fits = (d: Ymd) => isValidYmd(d) && compareYmd(d, today) >= 0 && (!ref.wd || weekdayOf(d) === ref.wd);
      if (ref.y !== undefined) {
        const d = { y: ref.y, m: ref.m, d: ref.d };
        return fits(d) ? d : null;
      }
      for (let y = today.y; y < today.y + 9; y++) {
        const d = { y, m: ref.m, d: ref.d };
        if (isValidYmd(d) && compareYmd(d, today) >= 0) return fits(d) ? d : null;
      }
      return null;
    }
    case "dom":
      // "monday the 20th": the next 20th that is a Monday, within a year.
      for (let k = 0; k < 13; k++) {
        const first = addMonths({ y: today.y, m: today.m, d: 1 }, k);
        const d = { ...first, d: ref.d };
        if (isValidYmd(d) && compareYmd(d, today) >= 0 && (!ref.wd || weekdayOf(d) === ref.wd)) return d;
      }
      return null;
    case "holiday":
      for (const y of [today.y, today.y + 1]) {
        const d = holiday(ref.name, y);
        if (d && compareYmd(d, today) >= 0) return d;
      }
      return null;
  }
}

/** The clock that names the reminder time: not the end of a range, preferably not an event's own time. */
export function pickClock(w: When): Clock | undefined {
  const starts = w.clocks.filter((c) => !c.rangeEnd);
  return (
    starts.find((c) => !c.attributive && saidRightAfterRequest(w, c)) ?? starts.find((c) => !c.attributive) ?? starts[0]
  );
}

/** "…, remind me at 7": within a few words after the request. */
const saidRightAfterRequest = (w: When, x: { start: number }): boolean =>
  w.requestEnd !== undefined && x.start >= w.requestEnd && x.start - w.requestEnd <= 20;

/** `first` and the items listed right after it ("at 9am and 9pm", "saturday and sunday"). */
function withListed<T extends { listed?: boolean }>(all: T[], first: T | undefined): T[] {
  if (!first) return [];
  const out = [first];
  for (const x of all.slice(all.indexOf(first) + 1)) {
    if (!x.listed) break;
    out.push(x);
  }
  return out;
}

/** The reminder's clock and the further times listed with it ("at 9am and 9pm", "for 6 and 6:30"). */
export const pickClocks = (w: When): Clock[] => withListed(w.clocks, pickClock(w));

/** The reminder's day and the further days listed with it ("saturday and sunday"). */
export const pickDates = (w: When): DateHit[] => withListed(w.dates, pickDate(w));

/** The date phrase that names the reminder day: plain dates beat possessive ones ("tomorrow's meeting tonight"). */
export function pickDate(w: When): DateHit | undefined {
  return (
    w.dates.find((d) => !d.possessive && saidRightAfterRequest(w, d)) ??
    w.dates.find((d) => !d.possessive) ??
    w.dates[0]
  );
}

/**
 * The 24-hour hour of a clock. A stated am/pm wins, then a day part, then context words; for a bare hour
 * on an explicit today the am reading is kept only while it is still ahead; otherwise 1–6 → pm, 7–11 → am.
 */
export function hour24(
  c: Clock,
  part: DayPart | undefined,
  hints: Hints,
  amPassedToday?: (h: number) => boolean,
): number {
  if (c.fixed) return c.h;
  const h12 = c.h % 12;
  if (c.mer) return h12 + (c.mer === "pm" ? 12 : 0);
  if (part === "morning") return h12;
  if (part === "afternoon" || part === "evening") return h12 + 12;
  if (part === "night") return c.h <= 4 ? c.h : h12 + 12;
  if (hints.wake) return h12;
  if (hints.evening) return h12 + 12;
  if (amPassedToday) return amPassedToday(h12) ? h12 + 12 : h12;
  if (c.h === 12) return 12;
  return c.h <= 6 ? c.h + 12 : c.h;
}

/** The wall times of day a recurrence fires at, from its clocks or day part; empty when none is given. */
export function timesOfDay(w: When, hints: Hints, part?: DayPart): Array<{ h: number; m: number }> {
  const p = part ?? w.dayParts[0]?.part;
  const out: Array<{ h: number; m: number }> = [];
  for (const c of pickClocks(w)) {
    const t = { h: hour24(c, p, hints), m: c.m };
    if (!out.some((x) => x.h === t.h && x.m === t.m)) out.push(t);
  }
  if (!out.length && p) out.push({ h: PART_HOUR[p], m: 0 });
  return out;
}

/** `now` plus a duration; whole days, weeks and months are calendar steps, so "in 2 days" keeps the wall time across DST. */
function plus(now: Date, d: { minutes: number; months: number; unit?: string }, tz: string): Date {
  let t = DateTime.fromJSDate(now, { zone: tz });
  if (d.months) t = t.plus({ months: Math.trunc(d.months), days: Math.round((d.months % 1) * 30) });
  let minutes = d.minutes;
  if (d.unit === "day" || d.unit === "week" || d.unit === "month" || d.unit === "year") {
    const days = Math.trunc(minutes / 1440);
    t = t.plus({ days });
    minutes -= days * 1440;
  }
  return new Date(t.toMillis() + Math.round(minutes * 60_000));
}

/** The instant a one-off reminder is for, a question to ask, or none when the message names no time. */
export function resolveOnce(w: When, ctx: Context, hints: Hints): Outcome {
  const { now, tz } = ctx;
  const wall = instantToWall(now, tz);
  const today = { y: wall.year, m: wall.month, d: wall.day };
  if (w.trigger) return { kind: "ask", question: ASK_EVENT };
  if (w.anchored?.anchor === "event") return { kind: "ask", question: ASK_EVENT };
  if (w.past) return { kind: "ask", question: ASK_PASSED };
  const hit = pickDate(w);
  const clock = pickClock(w);
  const part = w.dayParts[0];
  let date: Ymd | null = null;
  let explicitToday = false;
  if (w.offset && !hit) {
    const byDay = w.offsetIsDate || (clock !== undefined && w.offset.minutes % 1440 === 0);
    if (!byDay) return { kind: "at", at: plus(now, w.offset, tz) };
    date = addMonths(addDays(today, Math.round(w.offset.minutes / 1440)), w.offset.months);
  } else if (hit) {
    date = dateOf(hit.ref, today);
    if (!date) return { kind: "ask", question: ASK_PASSED };
    explicitToday = compareYmd(date, today) === 0;
  }
  if (!date && w.vague) return { kind: "ask", question: ASK_DAY };
  if (!date && !clock && !part) return { kind: "none" };

  let h: number, m: number;
  if (clock) {
    const nowMin = wall.hour * 60 + wall.minute;
    const passed = explicitToday ? (h12: number) => h12 * 60 + clock.m <= nowMin : undefined;
    h = hour24(clock, part?.part, hints, passed);
    m = clock.m;
    if (clock.midnight) date = addDays(date ?? today, 1);
  } else if (part) {
    h = PART_HOUR[part.part];
    m = 0;
  } else {
    h = 9;
    m = 0;
  }
  if (!date && part?.today) date = today;
  let result: Date;
  if (date) {
    result = at(date, h, m, tz);
    if (result.getTime() <= now.getTime()) return { kind: "ask", question: ASK_PASSED };
  } else {
    result = at(today, h, m, tz);
    if (result.getTime() <= now.getTime()) result = at(addDays(today, 1), h, m, tz);
  }
  if (w.anchored) {
    const d = w.anchored.duration;
    result = plus(
      result,
      { minutes: w.anchored.sign * d.minutes, months: w.anchored.sign * d.months, unit: d.unit },
      tz,
    );
  }
  if (result.getTime() <= now.getTime()) return { kind: "ask", question: ASK_PASSED };
  return { kind: "at", at: result };
}

/** For a list: the window the message asks about ("tomorrow", "this morning", "between 2 and 4 pm", "next week"). */
export function resolveRange(w: When, ctx: Context, hints: Hints): { from: Date; to: Date } | undefined {
  const { now, tz } = ctx;
  const today = todayIn(now, tz);
  const hit = pickDate(w);
  let date = hit ? dateOf(hit.ref, today) : null;
  if (!date && w.vague) {
    const v = w.vague.what;
    const monday = addDays(today, 1 - weekdayOf(today));
    if (/weekend/.test(v)) {
      const sat = addDays(monday, /next/.test(v) ? 12 : 5);
      return { from: at(sat, 0, 0, tz), to: at(addDays(sat, 2), 0, 0, tz) };
    }
    if (/week/.test(v)) {
      const start = /next|following/.test(v) ? addDays(monday, 7) : today;
      return {
        from: /next|following/.test(v) ? at(start, 0, 0, tz) : now,
        to: at(addDays(monday, /next|following/.test(v) ? 14 : 7), 0, 0, tz),
      };
    }
    if (/month/.test(v)) {
      const first = addMonths({ y: today.y, m: today.m, d: 1 }, /next|following/.test(v) ? 1 : 0);
      return { from: /next|following/.test(v) ? at(first, 0, 0, tz) : now, to: at(addMonths(first, 1), 0, 0, tz) };
    }
    return undefined;
  }
  const starts = w.clocks.filter((c) => !c.rangeEnd);
  const clock = starts[0];
  const end = w.clocks.find((c) => c.rangeEnd);
  const part = w.dayParts[0];
  if (!date && (clock || part)) date = today;
  if (!date) return undefined;
  if (clock) {
    const h = hour24(clock, part?.part, hints);
    const from = at(date, h, clock.m, tz);
    const to = end ? at(date, hour24(end, part?.part, hints), end.m, tz) : new Date(from.getTime() + 3600_000);
    return to > from ? { from, to } : { from, to: new Date(from.getTime() + 3600_000) };
  }
  if (part) {
    const [a, b] = PART_WINDOW[part.part];
    return { from: at(date, a, 0, tz), to: b === 24 ? at(addDays(date, 1), 0, 0, tz) : at(date, b, 0, tz) };
  }
  return { from: at(date, 0, 0, tz), to: at(addDays(date, 1), 0, 0, tz) };
}
