/**
 * The Block Kit of a reminder posted to Slack, and the meaning of its buttons. Shared by the sender
 * (which draws the buttons) and the Slack adapter (which acts on clicks), so the two cannot drift.
 */
export type ReminderAction = "done" | "snooze_10" | "snooze_60" | "cancel" | "skip" | "stop";

export const ACTION_PREFIX = "herald_";

const LABELS: Record<ReminderAction, string> = {
  done: "Done",
  snooze_10: "Snooze 10 min",
  snooze_60: "Snooze 1 hour",
  cancel: "Cancel",
  skip: "Skip this one",
  stop: "Stop all",
};

/** A reminder with Done / Snooze / Cancel buttons; a recurring one offers skip-this-one and stop-all instead of Cancel. */
export function reminderBlocks(body: string, task: { id: string; recurring: boolean } | null): unknown[] {
  const section = { type: "section", text: { type: "mrkdwn", text: body.slice(0, 3000) } };
  if (!task) return [section];
  const actions: ReminderAction[] = task.recurring
    ? ["done", "snooze_10", "snooze_60", "skip", "stop"]
    : ["done", "snooze_10", "snooze_60", "cancel"];
  return [
    section,
    {
      type: "actions",
      block_id: `herald_reminder_${task.id}`,
      elements: actions.map((a) => ({
        type: "button",
        action_id: `${ACTION_PREFIX}${a}`,
        text: { type: "plain_text", text: LABELS[a] },
        value: task.id,
        ...(a === "done" ? { style: "primary" } : a === "stop" || a === "cancel" ? { style: "danger" } : {}),
      })),
    },
  ];
}

/** The action a button's action_id stands for, or null for one that isn't ours. */
export function parseAction(actionId: string): ReminderAction | null {
  if (!actionId.startsWith(ACTION_PREFIX)) return null;
  const a = actionId.slice(ACTION_PREFIX.length);
  return a in LABELS ? (a as ReminderAction) : null;
}

/** Block Kit action ids of the Approve / Reject buttons on an approval request in the ops channel. */
export const APPROVE_ACTION_ID = "herald_approve";
export const REJECT_ACTION_ID = "herald_reject";
