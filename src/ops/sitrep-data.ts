import type { Queue } from "bullmq";
import type pg from "pg";
import { liveWorkers } from "./workers.js";
import {
  buildSitrep,
  RUN_STATUSES,
  windowStart,
  type FailureRow,
  type QueueCounts,
  type Sitrep,
  type SitrepInput,
  type SitrepWindow,
} from "./sitrep.js";

/**
 * The sitrep's I/O. Every query is either a read of a maintained counter (task_status_counts, ops_hourly)
 * or an index range with a LIMIT, so the cost does not grow with the number of stored tasks or runs.
 */
export interface SitrepSource {
  pool: pg.Pool;
  fireQueue: Queue;
  deliverQueue: Queue;
}

/** Tuning of the bounded queries. */
export interface SitrepLimits {
  /** Runs whose lateness feeds the percentiles (the most recent in the window). @defaultValue 1000 */
  lateSample?: number;
  /** Counts of due tasks and backlog stop here and show as "10,000+". @defaultValue 10000 */
  countCap?: number;
  /** A scheduled task this overdue counts as backlog. @defaultValue 60000 */
  backlogGraceMs?: number;
}

// One branch per run status so each is a backward range scan of the (status, started_at) index.
const LATE_SQL = `SELECT late_ms FROM (${RUN_STATUSES.map(
  (s) =>
    `(SELECT late_ms, started_at FROM task_runs WHERE status = '${s}' AND started_at >= $1 AND late_ms IS NOT NULL ORDER BY started_at DESC LIMIT $2)`,
).join(" UNION ALL ")}) x ORDER BY started_at DESC LIMIT $2`;

const FAILURES_SQL = `(SELECT 'run' AS kind, r.task_id AS id, r.task_id AS "taskId", t.title, t.channel::text AS channel, COALESCE(r.finished_at, r.started_at) AS at, left(r.error, 400) AS error
    FROM task_runs r JOIN tasks t ON t.id = r.task_id WHERE r.status = 'failed' ORDER BY r.started_at DESC LIMIT 5)
  UNION ALL
  (SELECT 'delivery', d.id, d.task_id, t.title, d.channel::text, d.updated_at, left(COALESCE(d.error, 'carrier reported ' || d.status::text), 400)
    FROM deliveries d LEFT JOIN tasks t ON t.id = d.task_id WHERE d.status IN ('failed', 'undelivered') ORDER BY d.created_at DESC LIMIT 5)`;

const RECENT_SQL = `SELECT r.task_id AS "taskId", t.title, r.status::text AS status, r.started_at AS "startedAt", r.finished_at AS "finishedAt", left(r.error, 400) AS error
  FROM task_runs r JOIN tasks t ON t.id = r.task_id ORDER BY r.started_at DESC LIMIT 10`;

// One-offs held past their due time (index: status, next_run_at).
const OVERDUE_APPROVALS_SQL = `SELECT id, title, next_run_at AS "dueAt", count(*) OVER ()::int AS total FROM
  (SELECT id, title, next_run_at FROM tasks WHERE status = 'pending_approval' AND rrule IS NULL AND next_run_at < $1 ORDER BY next_run_at LIMIT $2) x
  ORDER BY next_run_at`;

/** Job counts of a BullMQ queue, in the four states the sitrep shows. */
export async function queueCounts(q: Queue): Promise<QueueCounts> {
  const c = await q.getJobCounts("waiting", "delayed", "active", "failed");
  return { waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 };
}

/** Reads everything the sitrep needs, in parallel. */
export async function readSitrepInput(
  src: SitrepSource,
  window: SitrepWindow,
  now: Date,
  limits: SitrepLimits = {},
): Promise<SitrepInput> {
  const lateSample = limits.lateSample ?? 1000;
  const countCap = limits.countCap ?? 10_000;
  const since = windowStart(now, window);
  const q = <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    src.pool.query<T>(sql, params).then((r) => r.rows);
  const [
    taskCounts,
    hourly,
    late,
    nextDue,
    due,
    backlog,
    failures,
    fire,
    deliver,
    fireWorkers,
    deliverWorkers,
    processes,
    recent,
    overdue,
  ] = await Promise.all([
    q<{ status: string; n: number }>(
      `SELECT status::text AS status, sum(n)::float8 AS n FROM task_status_counts GROUP BY status`,
    ),
    q<{ metric: string; key: string; n: number; tokens: number; cost: number }>(
      `SELECT metric, key, sum(n)::float8 AS n, sum(tokens)::float8 AS tokens, sum(cost_usd) AS cost FROM ops_hourly
        WHERE metric IN ('run', 'delivery', 'llm') AND hour >= $1 GROUP BY metric, key`,
      [since],
    ),
    q<{ late_ms: number }>(LATE_SQL, [since, lateSample]),
    q<{ id: string; title: string; next_run_at: Date; channel: string }>(
      `SELECT id, title, next_run_at, channel::text AS channel FROM tasks WHERE status = 'scheduled' AND next_run_at >= $1 ORDER BY next_run_at LIMIT 5`,
      [now],
    ),
    q<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM tasks WHERE status = 'scheduled' AND next_run_at >= $1 AND next_run_at < $2 LIMIT $3) x`,
      [now, new Date(now.getTime() + 86_400_000), countCap],
    ),
    q<{ n: number; oldest: Date | null }>(
      `SELECT count(*)::int AS n, min(next_run_at) AS oldest FROM (SELECT next_run_at FROM tasks WHERE status = 'scheduled' AND next_run_at < $1 ORDER BY next_run_at LIMIT $2) x`,
      [new Date(now.getTime() - (limits.backlogGraceMs ?? 60_000)), countCap],
    ),
    q<FailureRow & { at: Date }>(FAILURES_SQL),
    queueCounts(src.fireQueue),
    queueCounts(src.deliverQueue),
    src.fireQueue.getWorkersCount(),
    src.deliverQueue.getWorkersCount(),
    liveWorkers(src.pool, now),
    q<FailureRow & { taskId: string; title: string; status: string; startedAt: Date; finishedAt: Date | null }>(
      RECENT_SQL,
    ),
    q<{ id: string; title: string; dueAt: Date; total: number }>(OVERDUE_APPROVALS_SQL, [now, countCap]),
  ]);
  return {
    now,
    window,
    taskCounts,
    hourly: hourly.map((h) => ({ metric: h.metric, key: h.key, n: h.n, tokens: h.tokens, costUsd: h.cost })),
    lateMs: late.map((r) => r.late_ms),
    lateSampleLimit: lateSample,
    nextDue: nextDue.map((t) => ({ id: t.id, title: t.title, nextRunAt: t.next_run_at, channel: t.channel })),
    dueNext24h: due[0]?.n ?? 0,
    backlog: backlog[0]?.n ?? 0,
    oldestBacklogAt: backlog[0]?.oldest ?? null,
    countCap,
    queues: { fire, deliver },
    workers: { fire: fireWorkers, deliver: deliverWorkers },
    processes,
    failures,
    recent,
    overdueApprovals: overdue.slice(0, 5),
    overdueApprovalCount: overdue[0]?.total ?? 0,
  };
}

/** Reads and computes the sitrep. */
export async function loadSitrep(
  src: SitrepSource,
  window: SitrepWindow = "24h",
  now = new Date(),
  limits?: SitrepLimits,
): Promise<Sitrep> {
  return buildSitrep(await readSitrepInput(src, window, now, limits));
}

/** Folds the counters' delta rows (cheap; concurrent callers skip). Called by the monitor loop. */
export async function compactCounters(pool: pg.Pool): Promise<void> {
  await pool.query(`SELECT ops_compact_counts()`);
}
