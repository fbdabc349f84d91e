import { DateTime } from "luxon";
import { nextOccurrence, validateRrule } from "../../time/index.js";
import type { Clock, InterpretContext } from "../types.js";
import { type Read, readClock, readDay, WEEKDAYS } from "./calendar.js";
import type { RecurrenceFields } from "./extraction.js";

/**
 * The model's recurrence fields as one RFC 5545 RRULE and its first occurrence. Pure.
 *
 * Several times of day share one rule: BYHOUR=9,21;BYMINUTE=0. When their minutes differ (9:00 and 17:30),
 * BYHOUR × BYMINUTE would also fire at 9:30 and 17:00, so BYSETPOS picks the wanted positions of each day's
 * set; that only works when each period of the rule holds one day. A time window ("every 30 minutes from 2
 * to 4pm") is expanded into its times of day the same way, so it never fires around the clock.
 */

export interface RuleOptions {
  /** The user's words for the schedule, quoted in issues. */
  said: string;
  /** Minutes before each time ("30 minutes before"): the rule fires that much earlier. */
  leadMinutes?: number;
}

/** More times a day than this is not a reminder. */
const MAX_TIMES_A_DAY = 288;
const DEFAULT_TIME: Clock = { hour: 9, minute: 0 };

const uniq = <T>(xs: T[]): T[] => xs.filter((x, i) => xs.indexOf(x) === i);
const minutesOf = (c: Clock) => c.hour * 60 + c.minute;
const clockOf = (m: number): Clock => ({ hour: Math.floor(m / 60), minute: m % 60 });

/** The times of day the fields name (times, or a window expanded by the rule's step), or an issue. */
function timesOfDay(r: RecurrenceFields, said: string): Read<Clock[]> {
  const clocks: Clock[] = [];
  for (const t of r.times) {
    const c = readClock(t, said);
    if (c && "issue" in c) return c;
    if (c) clocks.push(c.value);
  }
  if (!r.window) return { value: clocks };
  const from = readClock(r.window.from, said);
  const to = readClock(r.window.to, said);
  if (from && "issue" in from) return from;
  if (to && "issue" in to) return to;
  if (!from || !to) return { issue: { kind: "unplaced", text: said } };
  const every = Math.max(1, r.interval);
  const step = r.freq === "MINUTELY" ? every : r.freq === "HOURLY" ? every * 60 : 60;
  const [a, b] = [minutesOf(from.value), minutesOf(to.value)];
  if (b < a) return unsupported(said, "a time window that runs past midnight can't be one repeating reminder");
  if ((b - a) / step >= MAX_TIMES_A_DAY)
    return unsupported(said, `that is more than ${MAX_TIMES_A_DAY} reminders a day`);
  for (let m = a; m <= b; m += step) clocks.push(clockOf(m));
  return { value: clocks };
}

const UNITS = { day: "days", week: "weeks", month: "months", year: "years" } as const;

const unsupported = <T>(text: string, reason: string): Read<T> => ({ issue: { kind: "unsupported", text, reason } });

/** The rule's COUNT or UNTIL part ("3 times", "for 4 weeks", "until june 30"), or an issue. */
function end(r: RecurrenceFields, said: string, ctx: InterpretContext): Read<string> | null {
  // RFC 5545 allows COUNT or UNTIL, never both: a count is the more precise of the two.
  if (r.count !== null && r.count > 0) return { value: `COUNT=${r.count}` };
  const today = DateTime.fromJSDate(ctx.now, { zone: ctx.tz }).startOf("day");
  let last: { year: number; month: number; day: number } | null = null;
  if (r.lasting && r.lasting.amount > 0) {
    // "for 4 weeks" from today: the last day is the day before four weeks from now.
    last = today.plus({ [UNITS[r.lasting.unit]]: r.lasting.amount }).minus({ days: 1 });
  } else if (r.until) {
    const d = readDay(r.until, said, DateTime.fromJSDate(ctx.now, { zone: ctx.tz }), null);
    if (d && "issue" in d) return d;
    if (d) last = d.value;
  }
  if (!last) return null;
  const pad = (n: number) => String(n).padStart(2, "0");
  // Floating time (see time/recurrence.ts): the end of that day on the task's wall clock.
  return { value: `UNTIL=${last.year}${pad(last.month)}${pad(last.day)}T235959Z` };
}

/** The RRULE and first occurrence the model's recurrence fields name, or an issue saying why not. */
export function ruleFromFields(
  r: RecurrenceFields,
  ctx: InterpretContext,
  o: RuleOptions,
): Read<{ rrule: string; next: Date }> {
  const said = o.said;
  let freq: string = r.freq;
  let interval = Math.max(1, r.interval);
  const valid = (d: string) => (WEEKDAYS as readonly string[]).includes(d);
  let days: string[] = uniq(r.byday.filter(valid));
  const except: string[] = uniq(r.except.filter(valid));
  if (except.length) {
    days = (days.length ? days : [...WEEKDAYS]).filter((d) => !except.includes(d));
    if (!days.length) return unsupported(said, "every day it would fire on is excluded");
  }
  let byday = days;
  const nth = uniq(r.nth.filter((n) => n !== 0));
  if (nth.length && days.length) {
    if (nth.some((n) => n < -5 || n > 5)) return unsupported(said, "a month has at most five of each weekday");
    byday = nth.flatMap((n) => days.map((d) => `${n}${d}`));
    if (freq !== "MONTHLY" && freq !== "YEARLY") freq = "MONTHLY";
  }
  const monthdays = uniq(r.monthdays);
  if (monthdays.some((d) => d === 0 || d > 31 || d < -31))
    return { issue: { kind: "invalid_date", text: said, reason: "a month has at most 31 days" } };
  if (monthdays.length && (freq === "DAILY" || freq === "WEEKLY")) freq = "MONTHLY";

  const t = timesOfDay(r, said);
  if (t && "issue" in t) return t;
  let clocks = t?.value ?? [];
  const subDaily = freq === "HOURLY" || freq === "MINUTELY";
  if (r.window && subDaily)
    [freq, interval] = ["DAILY", 1]; // the window's step is now its list of times
  else if (subDaily && clocks.length)
    return unsupported(said, "a time of day on an hourly repeat needs a window, like 'every hour from 9 to 5'");
  else if (!subDaily && !clocks.length) clocks = [DEFAULT_TIME];

  if (o.leadMinutes && o.leadMinutes > 0) {
    const shifted = clocks.map((c) => minutesOf(c) - o.leadMinutes!);
    // Crossing midnight moves the day too, which BYDAY and BYMONTHDAY cannot follow.
    if (shifted.some((m) => m < 0) && (byday.length || monthdays.length || freq !== "DAILY" || o.leadMinutes >= 1440))
      return unsupported(said, "a reminder before that moves to the day before, which this repeat can't express");
    clocks = shifted.map((m) => clockOf((m + 1440) % 1440));
  }

  const parts = [`FREQ=${freq}`];
  if (interval > 1) parts.push(`INTERVAL=${interval}`);
  if (monthdays.length) parts.push(`BYMONTHDAY=${monthdays.join(",")}`);
  if (byday.length) parts.push(`BYDAY=${byday.join(",")}`);
  if (clocks.length) {
    const sorted = uniq(clocks.map(minutesOf)).sort((a, b) => a - b);
    const hours = uniq(sorted.map((m) => Math.floor(m / 60)));
    const minutes = uniq(sorted.map((m) => m % 60)).sort((a, b) => a - b);
    parts.push(`BYHOUR=${hours.join(",")}`, `BYMINUTE=${minutes.join(",")}`);
    if (hours.length * minutes.length !== sorted.length) {
      if (freq === "WEEKLY" && interval === 1) parts[0] = `FREQ=${(freq = "DAILY")}`; // same days, a set per day
      if (!oneDayPerPeriod(freq, byday, monthdays))
        return unsupported(said, "times with different minutes (like 9:00 and 5:30) on several days of each period");
      const pos = sorted.map((m) => hours.indexOf(Math.floor(m / 60)) * minutes.length + minutes.indexOf(m % 60) + 1);
      parts.push(`BYSETPOS=${pos.join(",")}`);
    }
  }
  const ending = end(r, said, ctx);
  if (ending && "issue" in ending) return ending;
  if (ending) parts.push(ending.value);

  const rrule = parts.join(";");
  try {
    validateRrule(rrule);
  } catch (err) {
    return unsupported(said, `it can't be written as a repeating rule (${(err as Error).message})`);
  }
  const next = firstOccurrence(rrule, ctx, interval > 1 && parts.some((p) => p.startsWith("BY")));
  return next ? { value: { rrule, next } } : unsupported(said, "the repeat ends before it would first fire");
}

/** True when each period of the rule holds at most one day, so BYSETPOS positions count within a day. */
function oneDayPerPeriod(freq: string, byday: string[], monthdays: number[]): boolean {
  if (freq === "DAILY") return true;
  if (freq === "WEEKLY") return byday.length <= 1;
  // A bare weekday in a monthly rule means every such weekday of the month; "1MO" means one.
  if (freq === "MONTHLY") return byday.length + monthdays.length <= 1 && byday.every((d) => /^-?\d/.test(d));
  return freq === "YEARLY" && !byday.length && !monthdays.length;
}

/**
 * The first occurrence after now. `anchored`: a rule with INTERVAL and a position (BYDAY, BYHOUR...) counts
 * its intervals from its first matching day, so "every other tuesday" said on a Friday starts next Tuesday
 * (counted from today's week, INTERVAL=2 would skip it). The conversation stores `next` as DTSTART.
 */
function firstOccurrence(rrule: string, ctx: InterpretContext, anchored: boolean): Date | null {
  const start = new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000);
  const probe = anchored ? rrule.replace(/;INTERVAL=\d+/, "") : rrule;
  return nextOccurrence({ rrule: probe, tz: ctx.tz, start }, ctx.now);
}
