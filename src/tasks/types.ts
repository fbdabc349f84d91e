import type { TaskSnapshot } from "./audit.js";

/** The shapes of the task lifecycle's requests: a new task, a schedule, a change. */

export type When = { runAt: Date } | { rrule: string; dtstart: Date };

export interface NewTask {
  userId: string;
  title: string;
  instruction: string;
  when: When;
  timezone: string;
  /** A channel name from the channel registry (src/channels). */
  channel: string;
  audience?: string | null;
  sourceMessageId?: string | null;
  /** "reminder" (default) or "sitrep" (an operator's subscription; `params.window`). */
  kind?: string;
  params?: Record<string, unknown> | null;
}

/** A change to a task, as TaskService.apply takes it. */
export type TaskChange =
  | { action: "cancel" | "pause" | "resume" | "approve" | "skip" | "done" }
  | { action: "reject"; reason?: string }
  | { action: "reschedule"; when: When; title?: string; timezone?: string }
  | { action: "snooze"; minutes: number }
  | { action: "run_now" | "retry" }
  /** The "too late to be useful" cut-off (ms after an occurrence); null: the server's default. */
  | { action: "set_cutoff"; usefulForMs: number | null }
  /** Undo: back to a snapshot the audit log kept (the status follows the rules: a hold is never released). */
  | { action: "restore"; to: TaskSnapshot };
