import type { Db } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import { occurrenceAfter, type Task, type TaskService, type Timers } from "../tasks/index.js";
import { formatForUser } from "../time/index.js";

/** What a user can do to a reminder they were just sent: Slack's buttons and SMS's "done" call this. */
export type ReminderVerb = "done" | "snooze_10" | "snooze_60" | "cancel" | "skip" | "stop";

export interface ReminderDeps {
  prisma: Db;
  tasks: TaskService;
  timers: Timers;
  now: () => Date;
}

/**
 * Applies a reminder action for `userId` and says what happened. Done acknowledges (and drops a snoozed
 * repeat of a one-off); skip moves a recurring task past its next occurrence; stop/cancel end it.
 * @throws HeraldError herald_task_not_found when the task is missing or not the user's.
 */
export async function actOnReminder(
  d: ReminderDeps,
  userId: string,
  taskId: string,
  verb: ReminderVerb,
): Promise<string> {
  const task = await d.tasks.get(taskId);
  if (!task || task.userId !== userId)
    throw new HeraldError("herald_task_not_found", 'I couldn\'t find that reminder any more. Say "list" to see yours.');
  const open = ["scheduled", "paused", "pending_approval"].includes(task.status);
  switch (verb) {
    case "done": {
      if (!task.rrule && open) await d.tasks.cancel(task.id);
      await audit(d, userId, "acknowledged", task);
      return `✓ "${task.title}" done.`;
    }
    case "snooze_10":
    case "snooze_60": {
      const t = await d.tasks.snooze(task.id, verb === "snooze_10" ? 10 : 60);
      return `✓ Snoozed "${task.title}" until ${formatForUser(t.nextRunAt ?? d.now(), task.timezone)}.`;
    }
    case "skip": {
      const next = await skipNext(d, task);
      return next
        ? `✓ Skipped. Next "${task.title}": ${formatForUser(next, task.timezone)}.`
        : `✓ Skipped. "${task.title}" has no more occurrences.`;
    }
    case "cancel":
    case "stop": {
      if (!open) return `"${task.title}" is ${task.status}; nothing more will be sent for it.`;
      await d.tasks.cancel(task.id);
      return task.rrule ? `✓ Stopped "${task.title}": no more reminders.` : `✓ Cancelled "${task.title}".`;
    }
  }
}

/**
 * Moves a recurring task to the occurrence after its next one. Bumping the version makes the timer of the
 * skipped occurrence a no-op, and the scheduler arms the new one (timer_at no longer matches next_run_at).
 */
async function skipNext(d: ReminderDeps, task: Task): Promise<Date | null> {
  if (!task.rrule || !task.nextRunAt || task.status !== "scheduled") {
    throw new HeraldError(
      "herald_task_state",
      `"${task.title}" isn't a scheduled recurring reminder, so there is nothing to skip. Say "cancel" to stop it.`,
    );
  }
  const after = occurrenceAfter(task, task.nextRunAt, d.now());
  await d.prisma.task.update({
    where: { id: task.id },
    data: after
      ? { nextRunAt: after, version: { increment: 1 } }
      : { nextRunAt: null, status: "completed", version: { increment: 1 } },
  });
  if (task.timerAt) await d.timers.remove(task.id, task.nextRunAt);
  await audit(d, task.userId, "skipped", task);
  return after;
}

async function audit(d: ReminderDeps, userId: string, action: string, task: Task): Promise<void> {
  await d.prisma.auditLog.create({
    data: {
      actor: `user:${userId}`,
      action,
      taskId: task.id,
      before: { status: task.status, nextRunAt: task.nextRunAt?.toISOString() ?? null },
    },
  });
}

/** The reminder "done" refers to: the user's task that fired most recently. */
export async function lastFiredTask(prisma: Db, userId: string): Promise<Task | null> {
  return prisma.task.findFirst({ where: { userId, lastRunAt: { not: null } }, orderBy: { lastRunAt: "desc" } });
}
