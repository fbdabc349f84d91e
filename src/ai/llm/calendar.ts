import { DateTime } from "luxon";
import { wallToInstant } from "../../time/index.js";
import type { Clock, InterpretContext, Issue } from "../types.js";
import type { Moment } from "./extraction.js";

/**
 * Reading the model's time-of-day and day fields, and saying what is wrong with one that does not exist.
 * The model is told to copy an impossible "feb 30" or "25:00" as written rather than correct it, so that
 * the user hears "February 2027 has 28 days" instead of getting a reminder on March 2. Pure.
 */

/** What a field reads as: a value, an issue for the user, or nothing (the field was empty). */
export type Read<T> = { value: T } | { issue: Issue } | null;

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
const WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** The weekday code a field names ("MO", "monday", "Mon"), or null. */
export function weekdayCode(s: string): string | null {
  const t = s.trim().toLowerCase();
  const i = WEEKDAYS.findIndex((c, n) => t === c.toLowerCase() || (t.length >= 3 && WEEKDAY_NAMES[n]!.startsWith(t)));
  return i >= 0 ? WEEKDAYS[i]! : null;
}

const CLOCK = /^(\d{1,2})(?:[:.](\d{1,2}))?\s*([ap])?\.?\s*m?\.?$/;

/**
 * A time of day: "17:00" as asked, and "5pm", "noon" as a courtesy to a model that forgot. `said` is the
 * user's wording, quoted in the issue.
 */
export function readClock(raw: string | null, said: string): Read<Clock> {
  const t = raw?.trim().toLowerCase();
  if (!t) return null;
  if (t === "noon" || t === "midday") return { value: { hour: 12, minute: 0 } };
  if (t === "midnight") return { value: { hour: 0, minute: 0 } };
  const m = t.match(CLOCK);
  if (!m) return { issue: { kind: "unplaced", text: said || raw! } };
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const invalid = (reason: string): Read<Clock> => ({ issue: { kind: "invalid_time", text: said || raw!, reason } });
  if (m[3]) {
    if (hour < 1 || hour > 12) return invalid(`with am or pm, the hour runs from 1 to 12 (got ${hour})`);
    hour = (hour % 12) + (m[3] === "p" ? 12 : 0);
  } else if (hour > 23) return invalid(`the hour runs from 0 to 23 (got ${hour})`);
  if (minute > 59 || (m[2] !== undefined && m[2].length !== 2))
    return invalid(`the minutes run from 00 to 59 (got ${m[2]})`);
  return { value: { hour, minute } };
}

const monthName = (year: number, month: number) =>
  DateTime.fromObject({ year, month }).setLocale("en").toFormat("LLLL yyyy");

/** A calendar day as the contract's ScheduleEdit.date has it. */
export interface Day {
  year: number;
  month: number;
  day: number;
  /** Set when the user named the day by its weekday. */
  weekday?: string;
}

/** True when this wall time on `day` is later than `now` (both in `now`'s zone). */
const later = (day: DateTime, clock: Clock | null, now: DateTime) =>
  clock ? day.set({ hour: clock.hour, minute: clock.minute }) > now : false;

/**
 * A day: "today", "tomorrow", a weekday (the next one; today only when `clock` is still ahead today),
 * "YYYY-MM-DD", or "MM-DD" (the next such date). `now` carries the zone.
 */
export function readDay(raw: string | null, said: string, now: DateTime, clock: Clock | null): Read<Day> {
  const t = raw?.trim().toLowerCase();
  if (!t) return null;
  const today = now.startOf("day");
  const of = (d: DateTime, weekday?: string): Read<Day> => ({
    value: { year: d.year, month: d.month, day: d.day, ...(weekday ? { weekday } : {}) },
  });
  if (t === "today") return of(today);
  if (t === "tomorrow") return of(today.plus({ days: 1 }));
  const wd = weekdayCode(t);
  if (wd) {
    let ahead = (WEEKDAYS.indexOf(wd as (typeof WEEKDAYS)[number]) + 1 - today.weekday + 7) % 7;
    if (ahead === 0 && !later(today, clock, now)) ahead = 7;
    return of(today.plus({ days: ahead }), wd);
  }
  const m = t.match(/^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})$/);
  if (!m) return { issue: { kind: "unplaced", text: said || raw! } };
  const month = Number(m[2]);
  const day = Number(m[3]);
  const invalid = (reason: string): Read<Day> => ({ issue: { kind: "invalid_date", text: said || raw!, reason } });
  if (month < 1 || month > 12) return invalid(`there is no month ${month}`);
  // Without a year, the date is the next one to come: this year's, or next year's once it has passed.
  let year = m[1] ? Number(m[1]) : today.year;
  if (!m[1] && (month < today.month || (month === today.month && day < today.day))) year += 1;
  const days = DateTime.fromObject({ year, month }).daysInMonth!;
  if (day < 1 || day > days) return invalid(`${monthName(year, month)} has ${days} days`);
  return of(DateTime.fromObject({ year, month, day }, { zone: now.zone }));
}

const DEFAULT_TIME: Clock = { hour: 9, minute: 0 };

/**
 * The instant a one-off moment names in ctx.tz, `leadMinutes` earlier ("30 minutes before my 3pm meeting").
 * A time without a day is the next such time; a day without a time is at 9:00.
 */
export function readMoment(w: Moment, ctx: InterpretContext, leadMinutes = 0): Read<Date> {
  const lead = Math.max(0, leadMinutes) * 60_000;
  if (w.in_minutes !== null && w.in_minutes > 0)
    return { value: new Date(ctx.now.getTime() + w.in_minutes * 60_000 - lead) };
  const now = DateTime.fromJSDate(ctx.now, { zone: ctx.tz });
  const clock = readClock(w.time, w.text);
  if (clock && "issue" in clock) return clock;
  const c = clock?.value ?? DEFAULT_TIME;
  const day = readDay(w.day, w.text, now, c);
  if (day && "issue" in day) return day;
  if (!day && !clock) return null;
  let d: Day = day?.value ?? { year: now.year, month: now.month, day: now.day };
  const at = (x: Day) =>
    wallToInstant({ year: x.year, month: x.month, day: x.day, hour: c.hour, minute: c.minute }, ctx.tz);
  if (!day && at(d) <= ctx.now) {
    const t = now.plus({ days: 1 });
    d = { year: t.year, month: t.month, day: t.day };
  }
  return { value: new Date(at(d).getTime() - lead) };
}

/**
 * Issues that say the same thing once: of two of a kind about overlapping words ("feb 30", "on feb 30 at
 * 5"), the first is kept, so the ones computed here (with their exact reason) win over the model's.
 */
export function uniqueIssues(issues: Issue[]): Issue[] {
  const norm = (i: Issue) => i.text.trim().toLowerCase();
  const overlap = (a: string, b: string) => a === b || (a !== "" && b !== "" && (a.includes(b) || b.includes(a)));
  return issues.filter((i, n) => !issues.slice(0, n).some((j) => j.kind === i.kind && overlap(norm(j), norm(i))));
}
