import type { WorkerRow } from "./workers.js";
/**
 * The sitrep's arithmetic: pure functions from query results (SitrepInput) to the report (Sitrep).
 * The I/O that fills SitrepInput lives in sitrep-data.ts; rendering in sitrep-render.ts.
 */

/** The windows /sitrep understands. */
export type SitrepWindow = "1h" | "24h" | "7d";

export const WINDOW_MS: Record<SitrepWindow, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };

/** `"24h"` → "24h"; anything else → null. Accepts "1d" and "1w" as aliases. */
export function parseWindow(s: string | undefined | null): SitrepWindow | null {
  const v = (s ?? "").trim().toLowerCase();
  if (v === "1h" || v === "24h" || v === "7d") return v;
  if (v === "1d" || v === "day") return "24h";
  if (v === "1w" || v === "week") return "7d";
  return null;
}

/**
 * The start of a window, floored to the hour (UTC): run, delivery and LLM counters are kept per hour,
 * so a "24h" window covers between 24 and 25 hours.
 */
export function windowStart(now: Date, window: SitrepWindow): Date {
  const start = now.getTime() - WINDOW_MS[window];
  return new Date(start - (start % 3_600_000));
}

export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

export interface FailureRow {
  kind: "run" | "delivery";
  /** Task id for a run, delivery id for a delivery. */
  id: string;
  taskId: string | null;
  title: string | null;
  channel: string | null;
  at: Date;
  error: string | null;
}

/** A recent run, for the sitrep's "Recent" list. */
export interface RecentRunRow {
  taskId: string;
  title: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

/** A worker process, as its heartbeat row says. */
export type WorkerProcessRow = Omit<WorkerRow, "id">;

/** Everything the sitrep is computed from: small, already aggregated query results. */
export interface SitrepInput {
  now: Date;
  window: SitrepWindow;
  /** Task count by status (from the maintained counters). */
  taskCounts: { status: string; n: number }[];
  /** Counters over the window: metric "run" (key = status), "delivery" (key = "channel:status"), "llm" (key = ok|failed). */
  hourly: { metric: string; key: string; n: number; tokens: number; costUsd: number }[];
  /** late_ms of the most recent runs in the window, at most `lateSampleLimit`. */
  lateMs: number[];
  lateSampleLimit: number;
  nextDue: { id: string; title: string; nextRunAt: Date; channel: string }[];
  /** Scheduled tasks due in the next 24 hours, counted up to `countCap`. */
  dueNext24h: number;
  /** Scheduled tasks already due (by more than the grace) and not started, counted up to `countCap`. */
  backlog: number;
  oldestBacklogAt: Date | null;
  countCap: number;
  queues: { fire: QueueCounts; deliver: QueueCounts };
  workers: { fire: number; deliver: number };
  processes: WorkerProcessRow[];
  failures: FailureRow[];
  recent: RecentRunRow[];
  /** One-offs still held for approval after their due time, oldest first, counted up to `countCap`. */
  overdueApprovals: { id: string; title: string; dueAt: Date }[];
  overdueApprovalCount: number;
}

export interface Sitrep {
  at: string;
  window: SitrepWindow;
  since: string;
  tasks: { total: number; byStatus: Record<string, number> };
  runs: { total: number; byStatus: Record<string, number>; successRate: number | null };
  lateness: { p50Ms: number | null; p95Ms: number | null; maxMs: number | null; sample: number; sampleLimit: number };
  due: { next: { id: string; title: string; at: string; channel: string }[]; next24h: number; next24hCapped: boolean };
  backlog: { count: number; capped: boolean; oldestAt: string | null };
  queues: { fire: QueueCounts; deliver: QueueCounts };
  /** Live BullMQ workers per queue, and the worker processes by their heartbeats. */
  workers: {
    fire: number;
    deliver: number;
    processes: {
      host: string;
      pid: number;
      roles: string;
      startedAt: string;
      heartbeatAt: string;
      inFlight: number;
      processed: number;
    }[];
  };
  /** The latest runs: when each started and finished, how long it took, and its error cut to 200 characters. */
  recent: {
    taskId: string;
    title: string;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    durationMs: number | null;
    error: string | null;
  }[];
  /** One-offs held for approval past their due time: an admin should approve or reject them. */
  approvals: { overdue: number; oldest: { id: string; title: string; dueAt: string }[] };
  failures: {
    kind: "run" | "delivery";
    id: string;
    taskId: string | null;
    title: string | null;
    channel: string | null;
    at: string;
    error: string;
  }[];
  /** `delivered`: delivered or accepted by the provider (sent, queued) of those with an outcome; null when none. */
  deliveries: {
    byChannel: Record<string, Record<string, number>>;
    total: number;
    failed: number;
    deliveredRate: number | null;
  };
  llm: { calls: number; failed: number; tokens: number; costUsd: number };
}

export const TASK_STATUSES = [
  "scheduled",
  "pending_approval",
  "paused",
  "running",
  "completed",
  "failed",
  "cancelled",
  "rejected",
] as const;
export const RUN_STATUSES = ["succeeded", "failed", "skipped", "running"] as const;

/** Nearest-rank percentile of ascending `sorted` values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Succeeded over finished (succeeded + failed) runs; null when none finished. Skipped runs do not count. */
export function successRate(succeeded: number, failed: number): number | null {
  return succeeded + failed === 0 ? null : succeeded / (succeeded + failed);
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Computes the report. Pure: the same input gives the same report. */
export function buildSitrep(i: SitrepInput): Sitrep {
  const tasksBy: Record<string, number> = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0]));
  for (const r of i.taskCounts) tasksBy[r.status] = (tasksBy[r.status] ?? 0) + r.n;
  const runsBy: Record<string, number> = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0]));
  const deliveriesBy: Record<string, Record<string, number>> = {};
  const llm = { calls: 0, failed: 0, tokens: 0, costUsd: 0 };
  let deliveriesTotal = 0;
  let deliveriesFailed = 0;
  let deliveriesOk = 0;
  for (const h of i.hourly) {
    if (h.metric === "run") runsBy[h.key] = (runsBy[h.key] ?? 0) + h.n;
    else if (h.metric === "delivery") {
      const [channel = "?", status = "?"] = h.key.split(":");
      const c = (deliveriesBy[channel] ??= {});
      c[status] = (c[status] ?? 0) + h.n;
      deliveriesTotal += h.n;
      if (status === "failed" || status === "undelivered") deliveriesFailed += h.n;
      if (status === "delivered" || status === "sent" || status === "queued") deliveriesOk += h.n;
    } else if (h.metric === "llm") {
      llm.calls += h.n;
      if (h.key === "failed") llm.failed += h.n;
      llm.tokens += h.tokens;
      llm.costUsd += h.costUsd;
    }
  }
  const sorted = [...i.lateMs].sort((a, b) => a - b);
  return {
    at: i.now.toISOString(),
    window: i.window,
    since: windowStart(i.now, i.window).toISOString(),
    tasks: { total: sum(Object.values(tasksBy)), byStatus: tasksBy },
    runs: {
      total: sum(Object.values(runsBy)),
      byStatus: runsBy,
      successRate: successRate(runsBy.succeeded ?? 0, runsBy.failed ?? 0),
    },
    lateness: {
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted.at(-1) ?? null,
      sample: sorted.length,
      sampleLimit: i.lateSampleLimit,
    },
    due: {
      next: i.nextDue.map((t) => ({ id: t.id, title: t.title, at: t.nextRunAt.toISOString(), channel: t.channel })),
      next24h: Math.min(i.dueNext24h, i.countCap),
      next24hCapped: i.dueNext24h >= i.countCap,
    },
    backlog: {
      count: Math.min(i.backlog, i.countCap),
      capped: i.backlog >= i.countCap,
      oldestAt: i.oldestBacklogAt?.toISOString() ?? null,
    },
    queues: i.queues,
    workers: {
      ...i.workers,
      processes: i.processes.map((p) => ({
        ...p,
        startedAt: p.startedAt.toISOString(),
        heartbeatAt: p.heartbeatAt.toISOString(),
      })),
    },
    recent: i.recent.map((r) => ({
      taskId: r.taskId,
      title: r.title,
      status: r.status,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
      error: r.error ? cut(r.error.replace(/\s+/g, " ").trim(), 200) : null,
    })),
    approvals: {
      overdue: Math.min(i.overdueApprovalCount, i.countCap),
      oldest: i.overdueApprovals.map((a) => ({ id: a.id, title: a.title, dueAt: a.dueAt.toISOString() })),
    },
    failures: [...i.failures]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, 5)
      .map((f) => ({
        ...f,
        at: f.at.toISOString(),
        error: cut((f.error ?? "(no error recorded)").replace(/\s+/g, " ").trim(), 200),
      })),
    deliveries: {
      byChannel: deliveriesBy,
      total: deliveriesTotal,
      failed: deliveriesFailed,
      deliveredRate: successRate(deliveriesOk, deliveriesFailed),
    },
    llm: { ...llm, costUsd: Math.round(llm.costUsd * 1e6) / 1e6 },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
