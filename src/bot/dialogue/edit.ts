import { DateTime } from "luxon";
import type { ScheduleEdit } from "../../ai/index.js";
import type { When } from "../../tasks/index.js";
import { rruleOf, rruleParts, wallToInstant } from "../../time/index.js";
import type { TaskView } from "./types.js";

/**
 * An edit applied to a task's schedule, changing only what the user named and keeping the rest:
 * "move the dentist one to 4pm" keeps the dentist's date, "reschedule rent to the 1st" keeps its monthly
 * repeat, "move the stand up one to 9am" keeps its weekdays. Pure: the task, the edit and `now` in; the
 * new schedule out, or what the edit cannot mean for this task (said to the user as it is).
 */
export type Edited = { ok: true; when: When; timezone: string; title?: string } | { ok: false; why: string };

const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

export function applyEdit(t: TaskView, said: ScheduleEdit, now: Date, zone?: string): Edited {
  const timezone = zone ?? t.timezone;
  const edit = nearTaskTime(said, t, timezone);
  const title = edit.title?.trim() || undefined;
  if (edit.schedule && edit.schedule.kind !== "unspecified") {
    const s = edit.schedule;
    const when: When = s.kind === "once" ? { runAt: s.at } : { rrule: s.rrule, dtstart: s.next };
    return { ok: true, when, timezone: s.kind === "recurring" ? s.tz : timezone, title };
  }
  const changesTime = Boolean(
    edit.times?.length || edit.date || edit.weekdays?.length || edit.monthDay || edit.shiftMinutes,
  );
  if (!changesTime) {
    if (title) return { ok: true, when: whenOf(t), timezone, title };
    if (zone) return { ok: true, when: whenOf(t), timezone, title };
    return { ok: false, why: "I couldn't tell what to change about it." };
  }
  const out = t.rrule ? editRule(t, edit, now) : editOnce(t, edit, now, timezone);
  if (!out.ok) return out;
  return { ...out, timezone, title };
}

/**
 * A time said without am/pm goes in the half of the day nearer the task's own time: a 6 AM run moved
 * "to 6:30" stays in the morning, an 11 AM meeting moved "to 1" goes to 1 PM.
 */
function nearTaskTime(e: ScheduleEdit, t: TaskView, tz: string): ScheduleEdit {
  if (!e.times?.some((c) => c.loose)) return e;
  const rule = t.rrule ? rruleParts(t.rrule).BYHOUR?.split(",")[0] : undefined;
  const base = t.nextRunAt ?? t.runAt;
  const own = rule !== undefined ? Number(rule) : base ? DateTime.fromJSDate(base, { zone: tz }).hour : undefined;
  if (own === undefined) return e;
  const times = e.times.map((c) => {
    if (!c.loose) return c;
    const h12 = c.hour % 12;
    const hour = Math.abs(h12 - own) <= Math.abs(h12 + 12 - own) ? h12 : h12 + 12;
    return { hour, minute: c.minute };
  });
  return { ...e, times };
}

const whenOf = (t: TaskView): When =>
  t.rrule ? { rrule: t.rrule, dtstart: t.dtstart ?? t.nextRunAt ?? new Date(0) } : { runAt: t.runAt ?? t.nextRunAt! };

/** A one-off: its instant moves; what the edit leaves out (the day, the time) stays as it was. */
function editOnce(t: TaskView, e: ScheduleEdit, now: Date, tz: string): Edited {
  const base = t.nextRunAt ?? t.runAt;
  if (!base) return { ok: false, why: "It has no time left to move." };
  if (e.shiftMinutes && !e.times?.length && !e.date)
    return { ok: true, when: { runAt: new Date(base.getTime() + e.shiftMinutes * 60_000) }, timezone: tz };
  if (e.weekdays?.length || e.monthDay) {
    // "move it to mondays", "to the 1st of every month" makes a one-off repeat at its time of day.
    const at = DateTime.fromJSDate(base, { zone: tz });
    const time = e.times?.[0] ?? { hour: at.hour, minute: at.minute };
    const rule = e.weekdays?.length
      ? rruleOf({
          FREQ: "WEEKLY",
          BYDAY: e.weekdays.join(","),
          BYHOUR: String(time.hour),
          BYMINUTE: String(time.minute),
        })
      : rruleOf({
          FREQ: "MONTHLY",
          BYMONTHDAY: String(e.monthDay),
          BYHOUR: String(time.hour),
          BYMINUTE: String(time.minute),
        });
    return { ok: true, when: { rrule: rule, dtstart: now }, timezone: tz };
  }
  if ((e.times?.length ?? 0) > 1) return { ok: false, why: "A one-off reminder has one time; say which one you want." };
  const wall = DateTime.fromJSDate(base, { zone: tz });
  const day = e.date
    ? { year: e.date.year, month: e.date.month, day: e.date.day }
    : { year: wall.year, month: wall.month, day: wall.day };
  const time = e.times?.[0] ?? { hour: wall.hour, minute: wall.minute };
  let at = wallToInstant({ ...day, hour: time.hour, minute: time.minute, second: 0 }, tz);
  if (e.shiftMinutes) at = new Date(at.getTime() + e.shiftMinutes * 60_000);
  // A new time of day alone that has passed today means the next time it comes round.
  if (!e.date && at <= now)
    at = wallToInstant({ ...nextDay(day, tz), hour: time.hour, minute: time.minute, second: 0 }, tz);
  if (at <= now) return { ok: false, why: "That time has already passed." };
  return { ok: true, when: { runAt: at }, timezone: tz };
}

const nextDay = (d: { year: number; month: number; day: number }, tz: string) => {
  const n = DateTime.fromObject(d, { zone: tz }).plus({ days: 1 });
  return { year: n.year, month: n.month, day: n.day };
};

/** A repeat: its rule changes in the parts the edit names (times, weekdays, day of month); the rest stays. */
function editRule(t: TaskView, e: ScheduleEdit, now: Date): Edited {
  const p = rruleParts(t.rrule!);
  const times = e.times ?? [];
  if (times.length) {
    const minutes = [...new Set(times.map((x) => x.minute))];
    if (minutes.length > 1 && times.length > 1)
      return { ok: false, why: "Those times have different minutes; set them as separate reminders." };
    p.BYHOUR = [...new Set(times.map((x) => x.hour))].sort((a, b) => a - b).join(",");
    p.BYMINUTE = String(times[0]!.minute);
    delete p.BYSETPOS;
    if (p.FREQ === "HOURLY" || p.FREQ === "MINUTELY") {
      if (times.length === 1) p.FREQ = "DAILY";
      delete p.INTERVAL;
    }
  }
  if (e.shiftMinutes) {
    const hours = (p.BYHOUR ?? "").split(",").filter(Boolean).map(Number);
    if (!hours.length) {
      // An hourly rule has no time of day: shifting moves where in the hour it fires.
      const m = Number(p.BYMINUTE ?? 0) + e.shiftMinutes;
      if (m < 0 || m >= 60 || e.shiftMinutes % 1)
        return { ok: false, why: "I can only move an hourly reminder within the hour." };
      p.BYMINUTE = String(m);
    } else {
      const minute = Number((p.BYMINUTE ?? "0").split(",")[0]);
      const shifted = hours.map((h) => h * 60 + minute + e.shiftMinutes!);
      if (shifted.some((x) => x < 0 || x >= 24 * 60))
        return { ok: false, why: "That would move it past midnight; tell me the new time instead." };
      p.BYHOUR = shifted.map((x) => Math.floor(x / 60)).join(",");
      p.BYMINUTE = String(shifted[0]! % 60);
    }
  }
  if (e.weekdays?.length) {
    p.FREQ = "WEEKLY";
    p.BYDAY = e.weekdays.join(",");
    delete p.BYMONTHDAY;
    delete p.BYSETPOS;
  } else if (e.monthDay) {
    p.FREQ = "MONTHLY";
    p.BYMONTHDAY = String(e.monthDay);
    delete p.BYDAY;
  } else if (e.date) {
    // A day for a repeat: the weekday of a weekly one, the day of a monthly or yearly one; a daily one
    // starts from that day.
    const { year, month, day } = e.date;
    const weekday = e.date.weekday ?? WEEKDAY_CODES[DateTime.fromObject({ year, month, day }).weekday - 1]!;
    if (p.FREQ === "WEEKLY") p.BYDAY = weekday;
    else if (p.FREQ === "MONTHLY") {
      p.BYMONTHDAY = String(e.date.day);
      delete p.BYDAY;
    } else if (p.FREQ === "YEARLY") {
      p.BYMONTH = String(e.date.month);
      p.BYMONTHDAY = String(e.date.day);
    } else {
      const start = wallToInstant({ year, month, day, hour: 0, minute: 0, second: 0 }, t.timezone);
      return { ok: true, when: { rrule: rruleOf(p), dtstart: start }, timezone: t.timezone };
    }
  }
  return { ok: true, when: { rrule: rruleOf(p), dtstart: keepStart(t, now) }, timezone: t.timezone };
}

/** The rule's anchor: kept (an every-other-week rule stays on its weeks), or now for a rule that had none. */
const keepStart = (t: TaskView, now: Date) => t.dtstart ?? now;
