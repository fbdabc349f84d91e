import { minimumInterval, type Recurrence } from "../time/index.js";

/**
 * Bounded autonomy, as pure functions. A request is refused when it breaks a hard limit, and held for an
 * admin's approval when it would reach someone other than its owner or run more often than hourly.
 */
export const LIMITS = {
  minRecurrenceMs: 5 * 60_000,
  approvalRecurrenceMs: 60 * 60_000,
  maxRequestChars: 2000,
} as const;

export type Verdict = { ok: true; approval: null | string } | { ok: false; code: string; reason: string };

export interface PolicyInput {
  recurrence: Recurrence | null;
  audience: string | null;
  activeTasks: number;
  maxActiveTasks: number;
  now: Date;
}

export function judgeNewTask(p: PolicyInput): Verdict {
  if (p.activeTasks >= p.maxActiveTasks) {
    return {
      ok: false,
      code: "herald_limit_active_tasks",
      reason: `You already have ${p.activeTasks} active reminders, the most I keep per person. Cancel one ("list", then "cancel 2") and try again.`,
    };
  }
  // Sampled from the rule's start when that is later: expanding from a start long past is slow for minutely rules.
  const from = p.recurrence && p.recurrence.start > p.now ? p.recurrence.start : p.now;
  const gap = p.recurrence ? minimumInterval(p.recurrence, new Date(from.getTime() - 1), 20) : Infinity;
  if (gap < LIMITS.minRecurrenceMs) {
    return {
      ok: false,
      code: "herald_limit_recurrence",
      reason: "That would repeat more often than every 5 minutes, which I don't do. Try every 5 minutes or less often.",
    };
  }
  if (p.audience) return { ok: true, approval: `reaches someone other than its owner (${p.audience})` };
  if (gap < LIMITS.approvalRecurrenceMs) return { ok: true, approval: "recurs more often than hourly" };
  return { ok: true, approval: null };
}

/** Which status changes a user or admin may make. Terminal states stay terminal, except that a failed one-off can be retried. */
const TRANSITIONS: Record<string, readonly string[]> = {
  scheduled: ["paused", "cancelled", "running", "completed", "failed", "scheduled"],
  pending_approval: ["scheduled", "cancelled", "rejected"],
  paused: ["scheduled", "cancelled"],
  // A run is claimed up to leadMs before its instant; pausing then still works (the run sends nothing).
  running: ["scheduled", "completed", "failed", "cancelled", "paused"],
  completed: [],
  failed: ["scheduled", "cancelled"],
  cancelled: [],
  rejected: [],
};

export function canTransition(from: string, to: string): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** Statuses that count against the per-user limit and show in "what are my reminders". */
export const ACTIVE_STATUSES = ["scheduled", "pending_approval", "paused", "running"] as const;
