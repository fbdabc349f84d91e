import { DateTime } from "luxon";
import type { Clock, InterpretContext, Issue, ScheduleEdit } from "../types.js";
import { readClock, readDay, WEEKDAYS } from "./calendar.js";
import type { EditFields, Extraction } from "./extraction.js";
import { ruleFromFields } from "./rules.js";

/**
 * A reschedule's edit: only what the user named, resolved in ctx.tz. "Move the dentist one to 4pm" is
 * `{ times: [16:00] }` and nothing else, so the conversation keeps the dentist's date; defaults (9:00, today)
 * are never filled in here, because a filled-in default would overwrite what the task has. Pure.
 */
export function readEdit(x: Extraction, ctx: InterpretContext): { edit: ScheduleEdit; issues: Issue[] } {
  const e = x.edit ?? editFromWhen(x);
  const issues: Issue[] = [];
  const edit: ScheduleEdit = {};
  if (e) {
    const said = e.text.trim() || x.when?.text || "the new time";
    const times: Clock[] = [];
    for (const t of e.times) {
      const c = readClock(t, said);
      if (c && "issue" in c) issues.push(c.issue);
      else if (c) times.push(c.value);
    }
    if (times.length) edit.times = times;
    const now = DateTime.fromJSDate(ctx.now, { zone: ctx.tz });
    const day = readDay(e.day, said, now, times[0] ?? null);
    if (day && "issue" in day) issues.push(day.issue);
    else if (day) edit.date = day.value;
    const weekdays = e.weekdays.filter(
      (d, i) => (WEEKDAYS as readonly string[]).includes(d) && e.weekdays.indexOf(d) === i,
    );
    if (weekdays.length) edit.weekdays = weekdays;
    if (e.month_day !== null) {
      if (e.month_day >= 1 && e.month_day <= 31) edit.monthDay = e.month_day;
      else issues.push({ kind: "invalid_date", text: said, reason: `a month has no day ${e.month_day}` });
    }
    if (e.shift_minutes) edit.shiftMinutes = e.shift_minutes;
    if (e.in_minutes !== null && e.in_minutes > 0)
      edit.schedule = { kind: "once", at: new Date(ctx.now.getTime() + e.in_minutes * 60_000) };
    if (e.title?.trim()) edit.title = e.title.trim();
  }
  if (x.recurrence) {
    // A restated repeat ("to every day at 9") replaces the whole schedule.
    const r = ruleFromFields(x.recurrence, ctx, { said: e?.text || x.when?.text || "the new schedule" });
    if (r && "issue" in r) issues.push(r.issue);
    else if (r) edit.schedule = { kind: "recurring", rrule: r.value.rrule, tz: ctx.tz, next: r.value.next };
  }
  return { edit, issues };
}

/** A model that put a reschedule's new time in `when` instead of `edit`: the same fields, read as an edit. */
function editFromWhen(x: Extraction): EditFields | null {
  const w = x.when;
  if (!w) return null;
  return {
    text: w.text,
    times: w.time ? [w.time] : [],
    day: w.day,
    weekdays: [],
    month_day: null,
    shift_minutes: null,
    in_minutes: w.in_minutes,
    title: null,
  };
}

/** The fields two edits read differently ("4pm" against "5pm", or a date only one of them saw). Pure. */
export function editDifferences(a: ScheduleEdit, b: ScheduleEdit): string[] {
  const keys = ["times", "date", "weekdays", "monthDay", "shiftMinutes"] as const;
  const norm = (v: unknown) => JSON.stringify(v, (k, x) => (k === "weekday" ? undefined : x));
  return keys.filter((k) => (a[k] !== undefined || b[k] !== undefined) && norm(a[k]) !== norm(b[k]));
}
