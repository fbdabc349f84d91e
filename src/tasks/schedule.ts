import { nextOccurrence, previousOccurrence, type Recurrence } from "../time/index.js";

/** When a task fires: a one-off instant, or a recurrence. Pure data, as stored on the task row. */
export interface TaskTiming {
  runAt: Date | null;
  rrule: string | null;
  dtstart: Date | null;
  timezone: string;
}

const recurrenceOf = (t: TaskTiming): Recurrence | null =>
  t.rrule ? { rrule: t.rrule, tz: t.timezone, start: t.dtstart ?? new Date(0) } : null;

/** The first occurrence at or after `now` (a one-off in the past still fires: it is late, not lost). */
export function firstOccurrence(t: TaskTiming, now: Date): Date | null {
  const rec = recurrenceOf(t);
  if (!rec) return t.runAt;
  return nextOccurrence(rec, new Date(now.getTime() - 1));
}

/**
 * The occurrence to schedule after one has fired: none for a one-off; for a recurring task the first
 * one after both the fired occurrence and `now`, so occurrences missed during downtime are not replayed.
 */
export function occurrenceAfter(t: TaskTiming, fired: Date, now: Date): Date | null {
  const rec = recurrenceOf(t);
  if (!rec) return null;
  return nextOccurrence(rec, new Date(Math.max(fired.getTime(), now.getTime())));
}

/**
 * Misfire policy: a recurring task overdue by more than `grace` fires its latest missed occurrence once,
 * not every missed one; a one-off fires as it is (late).
 */
export function occurrenceToFire(t: TaskTiming, nextRunAt: Date, now: Date, graceMs: number): Date {
  const rec = recurrenceOf(t);
  if (!rec || now.getTime() - nextRunAt.getTime() <= graceMs) return nextRunAt;
  const latest = previousOccurrence(rec, now);
  return latest && latest > nextRunAt ? latest : nextRunAt;
}

/**
 * The BullMQ job id of a task's occurrence timer. Derived, so adding the same timer twice is a no-op.
 * BullMQ rejects ':' in custom ids, hence the dashes.
 */
export const fireJobId = (taskId: string, occurrence: Date): string => `f-${taskId}-${occurrence.getTime()}`;
