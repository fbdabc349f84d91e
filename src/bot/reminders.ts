import { HeraldError } from "../errors/index.js";
import type { Actor, Applied, TaskChange, TaskService } from "../tasks/index.js";
import { formatForUser } from "../time/index.js";

/** What a user can do to a reminder they were just sent: Slack's buttons call this. */
export type ReminderVerb = "done" | "snooze_10" | "snooze_60" | "cancel" | "skip" | "stop";

const CHANGE: Record<ReminderVerb, TaskChange> = {
  done: { action: "done" },
  snooze_10: { action: "snooze", minutes: 10 },
  snooze_60: { action: "snooze", minutes: 60 },
  skip: { action: "skip" },
  cancel: { action: "cancel" },
  stop: { action: "cancel" },
};

/**
 * Applies a reminder action for `userId` and says what happened. Done acknowledges (and drops a snoozed
 * repeat of a one-off); skip moves a recurring task past its next occurrence; stop/cancel end it. The rules
 * are TaskService's (a reminder held for approval stays held); a refusal is told as it is.
 * @throws HeraldError herald_task_not_found when the task is missing or not the user's.
 */
export async function actOnReminder(
  tasks: Pick<TaskService, "apply" | "get">,
  userId: string,
  taskId: string,
  verb: ReminderVerb,
): Promise<string> {
  const refusal = async (reason: string) => {
    const t = await tasks.get(taskId);
    return t ? reason.replace(/^It /, `"${t.title}" `) : reason;
  };
  const actor: Actor = { kind: "user", userId };
  let out: Applied;
  try {
    out = await tasks.apply(taskId, CHANGE[verb], actor);
  } catch (err) {
    if (err instanceof HeraldError && err.code === "herald_task_not_found")
      throw new HeraldError(
        "herald_task_not_found",
        'I couldn\'t find that reminder any more. Say "list" to see yours.',
      );
    if (err instanceof HeraldError && err.code === "herald_task_state") return refusal(err.message);
    throw err;
  }
  const { before, task } = out;
  const title = `"${before.title}"`;
  switch (verb) {
    case "done":
      return `✓ ${title} done.`;
    case "snooze_10":
    case "snooze_60": {
      const at = (out.created ?? task).nextRunAt;
      return `✓ Snoozed ${title} until ${at ? formatForUser(at, task.timezone) : "later"}.`;
    }
    case "skip":
      return task.nextRunAt
        ? `✓ Skipped. Next ${title}: ${formatForUser(task.nextRunAt, task.timezone)}.`
        : `✓ Skipped. ${title} has no more occurrences.`;
    case "cancel":
    case "stop":
      return before.rrule ? `✓ Stopped ${title}: no more reminders.` : `✓ Cancelled ${title}.`;
  }
}
