import type { Prisma, Task } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import { judgeNewTask } from "./policy.js";
import { firstOccurrence, occurrenceAfter, type TaskTiming } from "./schedule.js";
import type { NewTask, TaskChange, When } from "./types.js";
import type { Actor, TaskStatus } from "./transitions.js";

/**
 * What a change does to a task's row, once the rules (transitions.ts) have allowed it: pure, from the task,
 * the change, the status the rules chose, who asks and `now`. TaskService writes the result; the dialogue's
 * tests apply it to tasks held in memory, so both run the same arithmetic.
 */
export interface Planned {
  data: Prisma.TaskUpdateInput & { status?: TaskStatus };
  /** A one-off copy to create (snoozing or running a repeat). */
  copy?: NewTask;
}

export const timingOf = (w: When, timezone: string): TaskTiming =>
  "runAt" in w
    ? { runAt: w.runAt, rrule: null, dtstart: null, timezone }
    : { runAt: null, rrule: w.rrule, dtstart: w.dtstart, timezone };

const date = (iso: string | null) => (iso ? new Date(iso) : null);

export function planChange(t: Task, change: TaskChange, status: TaskStatus, actor: Actor, now: Date): Planned {
  const copyAt = (at: Date): NewTask => ({
    userId: t.userId,
    title: t.title,
    instruction: t.instruction,
    when: { runAt: at },
    timezone: t.timezone,
    channel: t.channel,
    audience: t.audience,
    kind: t.kind,
    params: t.params as Record<string, unknown> | null,
  });
  switch (change.action) {
    case "approve":
      return { data: { nextRunAt: firstOccurrence(t, now) ?? t.nextRunAt, approvalReason: null } };
    case "resume":
      return status === t.status ? { data: {} } : { data: { nextRunAt: firstOccurrence(t, now) ?? t.nextRunAt } };
    case "reject":
      // Rejected is final: nothing is left to fire.
      return { data: { nextRunAt: null } };
    case "set_cutoff":
      return { data: { usefulForMs: change.usefulForMs } };
    case "cancel":
    case "pause":
    case "done":
      return { data: {} };
    case "skip": {
      const after = t.nextRunAt ? occurrenceAfter(t, t.nextRunAt, now) : null;
      return after ? { data: { nextRunAt: after } } : { data: { nextRunAt: null, status: "completed" } };
    }
    case "snooze": {
      const at = new Date(now.getTime() + change.minutes * 60_000);
      // A repeat keeps its next occurrence and gets a one-off copy, so snoozing today's does not move tomorrow's.
      if (t.rrule) return { data: {}, copy: copyAt(at) };
      return { data: { runAt: at, nextRunAt: at } };
    }
    case "run_now":
    case "retry":
      if (t.rrule) return { data: {}, copy: copyAt(now) };
      return { data: { runAt: now, nextRunAt: now } };
    case "reschedule": {
      const timezone = change.timezone ?? t.timezone;
      const timing = timingOf(change.when, timezone);
      const next = firstOccurrence(timing, now);
      if (!next) throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence.");
      const held = holdFor(t, timing, actor, status, now);
      return {
        data: {
          runAt: timing.runAt,
          rrule: timing.rrule,
          dtstart: timing.dtstart,
          timezone,
          nextRunAt: next,
          ...(change.title ? { title: change.title } : {}),
          ...(held ? { status: "pending_approval", approvalReason: held } : {}),
        },
      };
    }
    case "restore": {
      const s = change.to;
      const timing: TaskTiming = {
        runAt: date(s.runAt),
        rrule: s.rrule,
        dtstart: date(s.dtstart),
        timezone: s.timezone,
      };
      const next = timing.rrule ? firstOccurrence(timing, now) : timing.runAt;
      return {
        data: {
          title: s.title,
          runAt: timing.runAt,
          rrule: timing.rrule,
          dtstart: timing.dtstart,
          timezone: s.timezone,
          nextRunAt: next,
        },
      };
    }
  }
}

/**
 * A user's new schedule is judged like a new task: a hard limit refuses it, and one that needs approval
 * puts the task on hold (a user's change can add a hold, never lift one). Returns the hold's reason.
 */
function holdFor(t: Task, timing: TaskTiming, actor: Actor, status: TaskStatus, now: Date): string | null {
  if (actor.kind !== "user") return null;
  const verdict = judgeNewTask({
    recurrence: timing.rrule ? { rrule: timing.rrule, tz: timing.timezone, start: timing.dtstart! } : null,
    audience: t.audience,
    activeTasks: 0,
    maxActiveTasks: Number.POSITIVE_INFINITY,
    now,
  });
  if (!verdict.ok) throw new HeraldError(verdict.code, verdict.reason);
  return verdict.approval && status !== "pending_approval" ? verdict.approval : null;
}
