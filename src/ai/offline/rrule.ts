import { DateTime } from "luxon";
import { nextOccurrence } from "../../time/index.js";
import { addDays, at, compareYmd, todayIn, weekdayOf, type Ymd } from "./calendar.js";
import type { Freq, Recur } from "./recurrence.js";
import { dateOf, hour24, pickClock, timesOfDay, type Context, type Hints } from "./resolve.js";
import type { When } from "./times.js";
import { RRULE_DAYS } from "./vocab.js";

/**
 * Turns what the recurrence grammar read into one RRULE and its first occurrence. Several times a day
 * ("at 9am and 9pm") and windows ("every 30 minutes between 2 and 4pm") become BYHOUR/BYMINUTE lists,
 * trimmed with BYSETPOS when the lists' cross product would add times nobody asked for.
 */

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const floatingStamp = (d: Ymd, h: number, m: number, s: number) =>
  `${d.y}${pad(d.m)}${pad(d.d)}T${pad(h)}${pad(m)}${pad(s)}Z`;
const fmt = (t: { h: number; m: number }) => `${t.h}:${pad(t.m)}`;
const NUMBER_WORD = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

export type RecurOutcome =
  | { kind: "recurring"; rrule: string; next: Date }
  | { kind: "ask"; question: string }
  | { kind: "unsupported"; reason: string };

type Slot = { h: number; m: number };

/**
 * BYHOUR/BYMINUTE (and BYSETPOS when needed) that fire at exactly `slots` on each day of the rule.
 * `daysPerSet` is how many days one expansion set of the rule holds (a WEEKLY rule on three days: 3),
 * since BYSETPOS counts positions within the set.
 */
function timeParts(slots: Slot[], daysPerSet: number): string[] {
  const hours = [...new Set(slots.map((t) => t.h))].sort((a, b) => a - b);
  const minutes = [...new Set(slots.map((t) => t.m))].sort((a, b) => a - b);
  const parts = [`BYHOUR=${hours.join(",")}`, `BYMINUTE=${minutes.join(",")}`];
  const cross = hours.flatMap((h) => minutes.map((m) => h * 60 + m));
  if (cross.length === slots.length) return parts;
  const wanted = new Set(slots.map((t) => t.h * 60 + t.m));
  const positions = cross.map((v, i) => (wanted.has(v) ? i + 1 : 0)).filter(Boolean);
  const all: number[] = [];
  for (let d = 0; d < daysPerSet; d++) all.push(...positions.map((p) => p + d * cross.length));
  return [...parts, `BYSETPOS=${all.join(",")}`];
}

/** The times an hourly or minutely rule fires within a window ("from 9 to 5", "between 2 and 4pm"). */
function windowSlots(rec: Recur, w: When, hints: Hints): Slot[] | null {
  const start = pickClock(w);
  const end = start && w.clocks.find((c) => c.rangeEnd && c.start > start.start);
  if (!start || !end) return null;
  const a = hour24(start, rec.part, hints) * 60 + start.m;
  let b = hour24(end, rec.part, hints) * 60 + end.m;
  if (b <= a) b += 1440;
  const step = rec.freq === "HOURLY" ? 60 * rec.interval : rec.interval;
  const out: Slot[] = [];
  for (let t = a; t <= b && out.length < 300; t += step) out.push({ h: Math.floor(t / 60) % 24, m: t % 60 });
  return out;
}

/**
 * Builds the RRULE for a recurrence, completing it from the dates in the message ("gym on monday, set it
 * to repeat" → weekly on Monday; "june 5th every year" → yearly on June 5), and finds its first occurrence.
 * With no time named, daily and longer rules fire at 09:00, like a date without a time.
 */
export function buildRecurrence(rec: Recur, w: When, ctx: Context, hints: Hints): RecurOutcome {
  const today = todayIn(ctx.now, ctx.tz);
  const untilHit =
    rec.untilAt !== undefined ? w.dates.find((d) => d.start >= rec.untilAt! && d.start <= rec.untilAt! + 5) : undefined;
  const startHit = w.dates.find((d) => d !== untilHit);
  let freq: Freq | null = rec.freq;
  let byday = [...rec.byday];
  let bymonthday = rec.bymonthday;
  let bymonth: number | undefined;
  const startDate = startHit ? dateOf(startHit.ref, today) : null;
  if (!freq) {
    if (startHit?.ref.kind === "weekday") freq = "WEEKLY";
    else return { kind: "ask", question: "How often should it repeat?" };
  }
  if (freq === "WEEKLY" && !byday.length && startHit?.ref.kind === "weekday")
    byday = [RRULE_DAYS[startHit.ref.wd - 1]!];
  if (rec.except) {
    if (!byday.length) byday = [...RRULE_DAYS];
    byday = byday.filter((d) => !rec.except!.includes(d));
    if (freq === "DAILY") freq = "WEEKLY";
    if (!byday.length) return { kind: "ask", question: "That leaves no days at all. Which days should it repeat on?" };
  }
  if (
    freq === "MONTHLY" &&
    !bymonthday &&
    !byday.length &&
    startHit &&
    startDate &&
    startHit.ref.kind !== "weekday" &&
    startHit.ref.kind !== "days"
  )
    bymonthday = startDate.d;
  if (freq === "YEARLY" && startDate) {
    bymonth = startDate.m;
    bymonthday = startDate.d;
  }
  const sub = freq === "HOURLY" || freq === "MINUTELY";
  const window = sub ? windowSlots(rec, w, hints) : null;
  const times = sub ? [] : timesOfDay(w, hints, rec.part);
  if (rec.perPeriod?.unit === "day" && times.length !== rec.perPeriod.n) {
    const n = NUMBER_WORD[rec.perPeriod.n] ?? String(rec.perPeriod.n);
    return { kind: "ask", question: `At which ${n} times of day should I remind you?` };
  }
  if (rec.perPeriod?.unit === "week" && byday.length !== rec.perPeriod.n) {
    const n = NUMBER_WORD[rec.perPeriod.n] ?? String(rec.perPeriod.n);
    return { kind: "ask", question: `On which ${n} days of the week should I remind you?` };
  }
  const parts: string[] = [];
  if (window) {
    // A window replaces the pace with the list of times it gives, so the rule never fires around the clock.
    const hourly = window.every((t) => t.m === window[0]!.m) && new Set(window.map((t) => t.h)).size === window.length;
    parts.push(`FREQ=${hourly ? "HOURLY" : "DAILY"}`);
    if (byday.length) parts.push(`BYDAY=${byday.join(",")}`);
    parts.push(...timeParts(window, 1));
  } else {
    parts.push(`FREQ=${freq}`);
    if (rec.interval > 1) parts.push(`INTERVAL=${rec.interval}`);
    if (bymonth) parts.push(`BYMONTH=${bymonth}`);
    if (bymonthday) parts.push(`BYMONTHDAY=${bymonthday}`);
    if (byday.length) parts.push(`BYDAY=${byday.join(",")}`);
    if (!sub) {
      const slots = times.length ? times : [{ h: 9, m: 0 }];
      // BYSETPOS counts within one expansion set: the days of a week, or the one day of a month or year.
      const perSet = freq === "WEEKLY" ? Math.max(1, byday.length) : freq === "DAILY" || byday.length <= 1 ? 1 : 0;
      const tp = timeParts(slots, Math.max(perSet, 1));
      if (perSet === 0 && tp.some((x) => x.startsWith("BYSETPOS")))
        return {
          kind: "unsupported",
          reason: `${slots.map(fmt).join(" and ")} on several days of each ${freq === "MONTHLY" ? "month" : "year"} cannot be one repeating rule`,
        };
      parts.push(...tp);
    }
  }
  const nowWall = DateTime.fromJSDate(ctx.now, { zone: ctx.tz });
  if (rec.count) parts.push(`COUNT=${rec.count}`);
  else if (untilHit) {
    const end = dateOf(untilHit.ref, today);
    if (end) parts.push(`UNTIL=${floatingStamp(end, 23, 59, 59)}`);
  } else if (rec.length) {
    const whole =
      rec.length.unit === "minute" || rec.length.unit === "hour" ? 0 : Math.trunc(rec.length.minutes / 1440);
    const end = nowWall
      .plus({ days: whole, months: rec.length.months })
      .plus({ minutes: rec.length.minutes - whole * 1440 });
    parts.push(`UNTIL=${floatingStamp({ y: end.year, m: end.month, d: end.day }, end.hour, end.minute, 0)}`);
  } else if (w.vague && /this (week|month)/.test(w.vague.what)) {
    const end = /week/.test(w.vague.what)
      ? addDays(today, 7 - weekdayOf(today))
      : { ...today, d: nowWall.endOf("month").day };
    parts.push(`UNTIL=${floatingStamp(end, 23, 59, 59)}`);
  }
  const rrule = parts.join(";");
  // "every 2 hours starting at 9", "every minute after 6 am": the pace counts from that clock.
  const clock = sub && !window ? pickClock(w) : undefined;
  const anchor = clock && at(startDate ?? today, hour24(clock, rec.part, hints), clock.m, ctx.tz);
  return firstOccurrence(rrule, freq, startHit, startDate, today, ctx, anchor);
}

/**
 * The rule's first occurrence, which the task stores as its DTSTART. Starting from a named future date
 * ("starting monday") anchors the rule there. A weekly rule with an interval is anchored on its first
 * matching day, so "every other tuesday" starts with the coming Tuesday rather than the one after.
 */
function firstOccurrence(
  rrule: string,
  freq: Freq,
  startHit: When["dates"][number] | undefined,
  startDate: Ymd | null,
  today: Ymd,
  ctx: Context,
  anchor?: Date,
): RecurOutcome {
  let start = anchor ?? new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000);
  if (
    !anchor &&
    startDate &&
    compareYmd(startDate, today) > 0 &&
    freq !== "YEARLY" &&
    freq !== "MONTHLY" &&
    !(freq === "WEEKLY" && startHit?.ref.kind === "weekday")
  ) {
    start = DateTime.fromObject(
      { year: startDate.y, month: startDate.m, day: startDate.d },
      { zone: ctx.tz },
    ).toJSDate();
  }
  const after = new Date(Math.max(ctx.now.getTime(), start.getTime() - 1));
  const anchorByDay = freq === "WEEKLY" && /INTERVAL=/.test(rrule) && /BYDAY=/.test(rrule);
  const probe = anchorByDay ? rrule.replace(/;INTERVAL=\d+/, "") : rrule;
  const next = nextOccurrence({ rrule: probe, tz: ctx.tz, start }, after);
  if (!next)
    return { kind: "ask", question: "That repeating reminder would never fire. When should it start and stop?" };
  return { kind: "recurring", rrule, next };
}
