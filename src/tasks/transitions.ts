import { canTransition } from "./policy.js";

/**
 * The task lifecycle's rules as one pure function: a task, an action and who asks, in; the status the task
 * moves to, or a refusal with its reason, out. Chat, Slack buttons, SMS keywords, the admin API, the admin
 * page and the CLI all change a task through TaskService.apply, which asks this first; so a rule such as
 * "only an admin releases a task held for approval" holds everywhere because it is written once, here.
 * (The engine's own moves while a task fires, scheduled → running → scheduled/completed/failed, are
 * internal to src/tasks and not actions anyone asks for.)
 */

export type TaskStatus =
  | "scheduled"
  | "pending_approval"
  | "paused"
  | "running"
  | "completed"
  | "failed"
  | "cancelled"
  | "rejected";

export type TaskAction =
  | "cancel"
  | "pause"
  | "resume"
  | "approve"
  | "reject"
  | "reschedule"
  | "snooze"
  | "skip"
  | "done"
  | "run_now"
  | "retry"
  | "restore"
  | "set_cutoff";

/**
 * Who asks: the task's owner (in chat, on a button, by SMS), an operator (named as they authenticated:
 * "admin:web", "cli:alice", "slack:U42"), or Herald itself.
 */
export type Actor =
  | { kind: "user"; userId: string }
  | { kind: "admin"; name: string }
  | { kind: "system"; name: string };

/** How an actor is written in the audit log: "user:<id>", the operator's name, "system:<name>". */
export const actorLabel = (a: Actor): string =>
  a.kind === "user" ? `user:${a.userId}` : a.kind === "admin" ? a.name : `system:${a.name}`;

/** What the rules look at. */
export interface TaskFacts {
  status: TaskStatus;
  userId: string;
  /** A recurring task (skip applies to these only). */
  recurring: boolean;
  /** For restore (undo): the status the task had before the change being undone. */
  restoreTo?: TaskStatus;
}

export type Decision = { ok: true; status: TaskStatus } | { ok: false; code: string; reason: string };

const OPEN: readonly TaskStatus[] = ["scheduled", "paused", "running", "pending_approval", "failed"];

const refuse = (reason: string, code = "herald_task_state"): Decision => ({ ok: false, code, reason });
const to = (status: TaskStatus): Decision => ({ ok: true, status });

const words = (s: TaskStatus) => s.replace("_", " ");

/**
 * Decides an action. A held task (pending_approval) leaves that state only by an admin's approve or reject,
 * or by being cancelled; nothing its owner says, and no other admin action, releases it. Snooze, reschedule
 * and restore keep a held task held (the service re-judges a new schedule, which can only add a hold).
 */
export function decide(task: TaskFacts, action: TaskAction, actor: Actor): Decision {
  const d = rule(task, action, actor);
  // The status graph (policy.ts) is the last word, except for the actions that reopen a finished one-off.
  if (d.ok && d.status !== task.status && !REOPENS.has(action) && !canTransition(task.status, d.status))
    return refuse(`It is ${words(task.status)}, so it can't be ${words(d.status)}.`);
  return d;
}

/** Actions that may bring a finished one-off back: snoozing it, running it again, undoing its cancel. */
const REOPENS = new Set<TaskAction>(["snooze", "run_now", "retry", "restore"]);

function rule(task: TaskFacts, action: TaskAction, actor: Actor): Decision {
  if (actor.kind === "user" && actor.userId !== task.userId)
    return refuse("That reminder isn't yours.", "herald_task_not_found");
  const held = task.status === "pending_approval";
  const admin = actor.kind === "admin";
  switch (action) {
    case "approve":
    case "reject":
      if (!admin)
        return refuse("Only an admin can approve or reject a task waiting for approval.", "herald_task_forbidden");
      if (!held)
        return refuse(
          `It is ${words(task.status)}, so it can't be ${action === "approve" ? "approved" : "rejected"}: only tasks waiting for approval can be.`,
        );
      return to(action === "approve" ? "scheduled" : "rejected");
    case "cancel":
      if (!OPEN.includes(task.status)) return refuse(`It is already ${words(task.status)}.`);
      return to("cancelled");
    case "pause":
      if (held)
        return refuse("It is waiting for an admin's approval, so it can't be paused; it won't run until approved.");
      if (task.status === "paused") return to("paused");
      if (task.status !== "scheduled" && task.status !== "running")
        return refuse(`It is ${words(task.status)}, so it can't be paused.`);
      return to("paused");
    case "resume":
      if (held)
        return refuse(
          admin
            ? "It is waiting for approval: approve it instead."
            : "It is waiting for an admin's approval; it will start once approved.",
        );
      if (task.status === "scheduled" || task.status === "running") return to(task.status);
      if (task.status !== "paused") return refuse(`It is ${words(task.status)}, so it can't be resumed.`);
      return to("scheduled");
    case "reschedule":
      if (held || task.status === "paused") return to(task.status);
      if (!["scheduled", "running", "failed"].includes(task.status))
        return refuse(`It is ${words(task.status)}, so it can't be moved.`);
      return to("scheduled");
    case "snooze":
      if (held) return refuse("It is waiting for an admin's approval, so there is nothing to snooze yet.");
      if (task.status === "cancelled" || task.status === "rejected")
        return refuse(`It is ${task.status}, so there is nothing to snooze.`);
      return to(task.status === "paused" ? "paused" : "scheduled");
    case "skip":
      if (!task.recurring) return refuse('It doesn\'t repeat, so there is nothing to skip. Say "cancel" to stop it.');
      if (held) return refuse("It is waiting for an admin's approval, so it has no occurrence to skip yet.");
      if (task.status !== "scheduled") return refuse(`It is ${words(task.status)}, so there is nothing to skip.`);
      return to("scheduled");
    case "done":
      // Acknowledges the reminder that fired; a one-off still open (a snoozed repeat of it) ends.
      if (task.recurring || !["scheduled", "paused"].includes(task.status)) return to(task.status);
      return to("cancelled");
    case "run_now":
    case "retry":
      if (!admin) return refuse("Only an admin can run a task now.", "herald_task_forbidden");
      if (held) return refuse("It is waiting for approval: approve it first.");
      if (task.status === "paused") return refuse("It is paused: resume it first.");
      if (task.status === "cancelled" || task.status === "rejected" || task.status === "running")
        return refuse(`It is ${words(task.status)}.`);
      return to("scheduled");
    case "set_cutoff":
      // The cut-off changes how long failures are retried, never the status.
      if (task.status === "cancelled" || task.status === "rejected" || task.status === "completed")
        return refuse(`It is ${words(task.status)}, so it has nothing left to send.`);
      return to(task.status);
    case "restore": {
      const back = task.restoreTo;
      if (!back) return refuse("There is nothing to undo.");
      // An admin's rejection is not the owner's to undo.
      if (task.status === "rejected") return refuse("An admin rejected it, so it can't be undone.");
      if (held && back !== "pending_approval") return to("pending_approval");
      // Undo never releases a hold: a task that was held before the change goes back to being held.
      if (back === "running" || back === "completed" || back === "failed") return to(task.status);
      return to(back);
    }
  }
}
