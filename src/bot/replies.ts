import type { Task } from "../tasks/index.js";
import { describeRrule, formatDistance, formatForUser, instantToWall } from "../time/index.js";

/** Reply texts, as pure functions of their inputs: what the user reads. */

function when(at: Date, tz: string, now: Date): string {
  const a = instantToWall(at, tz);
  const n = instantToWall(now, tz);
  const sameDay = a.year === n.year && a.month === n.month && a.day === n.day;
  const full = formatForUser(at, tz, now);
  return sameDay ? `at ${full.split(" at ")[1]}` : `on ${full}`;
}

/** "every day at 9:00 AM (next: Sat, Mar 7 at 9:00 AM)" or "at 2:31 PM today (in 1 minute)". */
export function describeSchedule(task: Pick<Task, "rrule" | "nextRunAt" | "timezone">, tz: string, now: Date): string {
  if (!task.nextRunAt) return "with nothing left to run";
  if (task.rrule) return `${describeRrule(task.rrule)} (next ${when(task.nextRunAt, tz, now)})`;
  return `${when(task.nextRunAt, tz, now)} (${formatDistance(task.nextRunAt, now)})`;
}

export function confirmCreated(task: Task, tz: string, now: Date): string {
  if (task.status === "pending_approval") {
    return `✓ Saved "${task.title}" ${describeSchedule(task, tz, now)}. It needs an admin's approval before it runs, because it ${task.approvalReason}.`;
  }
  return `✓ I'll remind you to ${task.title} ${describeSchedule(task, tz, now)}. Reply "undo" to cancel.`;
}

export function listTasks(tasks: Task[], tz: string, now: Date, heading = "Your reminders"): string {
  if (tasks.length === 0) return `You have no reminders scheduled. Try "remind me tomorrow at 9 to call mom".`;
  const lines = tasks.map(
    (t, i) =>
      `${i + 1}. ${t.title}: ${describeSchedule(t, tz, now)}${t.status === "scheduled" || t.status === "running" ? "" : ` [${t.status.replace("_", " ")}]`}`,
  );
  return `${heading}:\n${lines.join("\n")}\nReply "cancel 2" to cancel one.`;
}

export const HELP = [
  "I'm Herald. I remind you of things and can do small tasks at a time you choose.",
  '• "remind me in 20 minutes to check the oven"',
  '• "every weekday at 8am remind me to stand up"',
  '• "what are my reminders", "cancel 2", "undo", "snooze 10 min", "move it to 4pm"',
  '• "pause the daily one", "resume it", "my time zone is Europe/Berlin"',
].join("\n");

export const NOT_UNDERSTOOD =
  'I can set reminders and run small tasks at a time you choose. Try "remind me tomorrow at 9 to call mom", or "help".';

export const askWhen = (task: string) =>
  `When should I remind you to ${task}? (e.g. "at 5pm", "tomorrow morning", "every monday at 9")`;
