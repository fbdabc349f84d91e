import { randomUUID } from "node:crypto";
import type pg from "pg";
import { outboxInsertCte } from "../notify/index.js";
import {
  CLAIM_COLUMNS,
  claimRun,
  rowToRun,
  upsertRun,
  type ClaimResult,
  type ClaimedRun,
  type Completed,
  type Completion,
} from "./runs.js";

/**
 * The hot path of runs.ts, many runs per statement: each function is one statement (so one implicit
 * transaction) with the same rules as its careful counterpart. Task rows are locked in id order, so
 * batches from several workers cannot deadlock each other.
 */

export interface ClaimInput {
  taskId: string;
  occurrence: Date;
  now: Date;
}

// CTE row estimates are 1 whatever the batch, so a join of two CTEs plans as a nested loop, quadratic in
// the batch size. Each step below therefore joins a CTE only to a table, through its primary key.
const CLAIM_SQL = `
WITH inp AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(task_id uuid, occ timestamptz, at timestamptz)),
lk AS (
  SELECT t.id, inp.occ, inp.at FROM tasks t JOIN inp ON inp.task_id = t.id
   WHERE t.status IN ('scheduled', 'running') AND t.next_run_at = inp.occ
   ORDER BY t.id FOR UPDATE OF t),
ins AS (
  INSERT INTO task_runs (task_id, occurrence, late_ms, started_at, heartbeat_at)
  SELECT id, occ, LEAST(GREATEST(0, (extract(epoch FROM at - occ) * 1000)::bigint), 2000000000)::int, GREATEST(at, occ), at FROM lk
  ${upsertRun("$2")}
  RETURNING id, task_id, occurrence, attempt),
upd AS (
  UPDATE tasks t SET status = 'running' FROM ins WHERE t.id = ins.task_id
  RETURNING t.*, ins.id AS run_id, ins.attempt, ins.occurrence AS occ)
SELECT ${CLAIM_COLUMNS.replace(/\bt\./g, "upd.")}, upd.run_id, upd.attempt,
  CASE WHEN upd.run_count = 0 THEN '{}' ELSE ARRAY(
    SELECT p.output FROM task_runs p WHERE p.task_id = upd.id AND p.occurrence < upd.occ AND p.status = 'succeeded' AND p.output IS NOT NULL
     ORDER BY p.occurrence DESC LIMIT 3) END AS prev
FROM upd JOIN users u ON u.id = upd.user_id`;

/**
 * Claims many occurrences at once (see claimRun; misfires are left to it). One result per input, in order.
 * An occurrence not claimed here (its task changed, or another worker holds it) is looked at again through
 * claimRun, which tells those cases apart; that is rare, and keeps this statement simple.
 */
export async function claimMany(pool: pg.Pool, items: ClaimInput[], leaseMs: number): Promise<ClaimResult[]> {
  const first = new Map<string, number>();
  const unique: ClaimInput[] = [];
  items.forEach((i, n) => {
    const key = `${i.taskId}@${i.occurrence.getTime()}`;
    if (!first.has(key)) {
      first.set(key, n);
      unique.push(i);
    }
  });
  const { rows } = await pool.query(CLAIM_SQL, [
    JSON.stringify(unique.map((i) => ({ task_id: i.taskId, occ: i.occurrence, at: i.now }))),
    leaseMs,
  ]);
  const byTask = new Map(rows.map((r) => [r.id as string, r]));
  return Promise.all(
    items.map(async (i, n): Promise<ClaimResult> => {
      // Two timers for one occurrence in one batch: the second waits and then finds the occurrence done.
      if (first.get(`${i.taskId}@${i.occurrence.getTime()}`) !== n)
        return { claimed: false, reason: "occurrence claimed by a live worker", busy: true };
      const row = byTask.get(i.taskId);
      if (!row) return claimRun(pool, i.taskId, i.occurrence, i.now, leaseMs);
      return { claimed: true, run: rowToRun(row, row.run_id, row.attempt, row.prev ?? []) };
    }),
  );
}

/** A run's completion with its one delivery, as the batched statements' JSON input rows name them. */
function completionRow(run: ClaimedRun, done: Completion) {
  const d = done.deliveries[0];
  return {
    run_id: run.runId,
    task_id: run.task.id,
    user_id: run.task.userId,
    occ: run.occurrence,
    started_at: done.startedAt,
    late_ms: Math.min(done.lateMs, 2_000_000_000),
    output: done.output,
    next: done.next,
    timer_at: done.timerAt ?? null,
    channel: d?.channel ?? null,
    recipient: d?.recipient ?? null,
    body: d?.body ?? null,
    blocks: d?.blocks ?? null,
  };
}

export interface CompleteInput {
  run: ClaimedRun;
  /** At most one delivery and no follow-up: anything else goes through completeRun. */
  done: Completion;
}

const COMPLETE_SQL = `
WITH inp AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(run_id uuid, attempt int, occ timestamptz, task_id uuid, user_id uuid, started_at timestamptz, late_ms int, output text, usage jsonb,
                                                              next timestamptz, timer_at timestamptz, channel text, recipient text, body text, blocks jsonb)),
lk AS (SELECT inp.*, t.status::text AS task_status, t.status = 'running' AND t.next_run_at = inp.occ AS ours
         FROM tasks t JOIN inp ON inp.task_id = t.id ORDER BY t.id FOR UPDATE OF t),
mine AS (
  UPDATE task_runs r SET
    status = (CASE WHEN lk.ours THEN 'succeeded' ELSE 'skipped' END)::"RunStatus",
    finished_at = $2, started_at = lk.started_at, late_ms = lk.late_ms,
    output = CASE WHEN lk.ours THEN lk.output END,
    usage = CASE WHEN lk.ours THEN lk.usage END,
    error = CASE WHEN lk.ours THEN NULL WHEN lk.task_status = 'running' THEN 'task rescheduled during the run' ELSE 'task became ' || lk.task_status || ' during the run' END
  FROM lk WHERE r.id = lk.run_id AND r.attempt = lk.attempt AND r.status = 'running'
  RETURNING lk.*, r.status::text AS run_status),
ok AS (SELECT * FROM mine WHERE run_status = 'succeeded'),
dl AS (${outboxInsertCte("ok")}),
upd AS (
  UPDATE tasks t SET status = (CASE WHEN ok.next IS NULL THEN 'completed' ELSE 'scheduled' END)::"TaskStatus",
    next_run_at = ok.next, timer_at = ok.timer_at, last_run_at = $2, run_count = t.run_count + 1, version = t.version + 1, updated_at = $2
  FROM ok WHERE t.id = ok.task_id RETURNING t.id, t.status::text AS status)
SELECT (SELECT coalesce(jsonb_object_agg(run_id, jsonb_build_array(run_status, task_status)), '{}') FROM mine) AS runs,
       (SELECT coalesce(jsonb_object_agg(id, status), '{}') FROM upd) AS tasks,
       (SELECT coalesce(jsonb_object_agg(run_id, id), '{}') FROM dl) AS deliveries`;

/**
 * Finishes many runs at once (see completeRun). One result per input, in order. The outbox rows are
 * written pending, for the caller's process to send at once; every worker's outbox sweep finds any a crash
 * leaves behind.
 */
export async function completeMany(pool: pg.Pool, items: CompleteInput[], now: Date): Promise<Completed[]> {
  const payload = items.map(({ run, done }) => ({
    ...completionRow(run, done),
    attempt: run.attempt,
    usage: done.usage ?? null,
  }));
  const { rows } = await pool.query<{
    runs: Record<string, [string, string]>;
    tasks: Record<string, string>;
    deliveries: Record<string, string>;
  }>(COMPLETE_SQL, [JSON.stringify(payload), now]);
  const { runs, tasks, deliveries } = rows[0]!;
  return items.map(({ run }): Completed => {
    const r = runs[run.runId];
    if (!r) return { deliveries: [], status: "lost" };
    if (r[0] !== "succeeded") return { deliveries: [], status: r[1] };
    const id = deliveries[run.runId];
    return { deliveries: id ? [id] : [], status: tasks[run.task.id]! };
  });
}

/**
 * An occurrence read, not claimed, for an executor whose acting has no effect but its result (see
 * Executor.pure): acted on first, then claimed and recorded in one statement (commitMany). `version` is
 * the task's as read; any change to the task meanwhile makes the commit a conflict.
 */
export interface Peeked {
  run: ClaimedRun;
  version: number;
}

const PEEK_SQL = `
WITH inp AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS i(task_id, occ))
SELECT ${CLAIM_COLUMNS}, t.version,
  CASE WHEN t.run_count = 0 THEN '{}' ELSE ARRAY(
    SELECT p.output FROM task_runs p WHERE p.task_id = t.id AND p.occurrence < t.next_run_at AND p.status = 'succeeded' AND p.output IS NOT NULL
     ORDER BY p.occurrence DESC LIMIT 3) END AS prev
FROM inp JOIN tasks t ON t.id = inp.task_id AND t.next_run_at = inp.occ JOIN users u ON u.id = t.user_id
WHERE t.status = 'scheduled' AND NOT EXISTS (SELECT 1 FROM task_runs r WHERE r.task_id = t.id AND r.occurrence = inp.occ)`;

/**
 * Reads many occurrences at once without writing anything: one result per input, in order, null where the
 * task is not scheduled for that occurrence (running elsewhere, changed, gone) or the occurrence has a run
 * row already (a retry, a re-armed one-off): the caller claims those.
 * The run's id is chosen here; the commit writes the run row under it, its first attempt.
 */
export async function peekMany(
  pool: pg.Pool,
  items: { taskId: string; occurrence: Date }[],
): Promise<(Peeked | null)[]> {
  const { rows } = await pool.query(PEEK_SQL, [items.map((i) => i.taskId), items.map((i) => i.occurrence)]);
  const byKey = new Map(rows.map((r) => [`${r.id}@${(r.next_run_at as Date).getTime()}`, r]));
  return items.map((i) => {
    const key = `${i.taskId}@${i.occurrence.getTime()}`;
    const row = byKey.get(key);
    if (!row) return null;
    byKey.delete(key); // the same occurrence twice in a batch: the second claims, and finds it done
    return { run: rowToRun(row, randomUUID(), 1, row.prev ?? []), version: row.version as number };
  });
}

// The claim and the completion of a peeked run at once. The task must still be as it was read (scheduled,
// same occurrence, same version); otherwise nothing is written for it and it is absent from the result.
// The peek saw no run row for the occurrence, and every claim that writes one also makes the task
// 'running' in its transaction, so the run insert cannot conflict; should it, the statement fails whole
// and each of its runs is claimed as usual. No step joins two CTEs (see CLAIM_SQL): they follow lk.
const COMMIT_SQL = `
WITH inp AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(run_id uuid, task_id uuid, user_id uuid, occ timestamptz, version int, started_at timestamptz, late_ms int,
                                                              output text, next timestamptz, timer_at timestamptz, channel text, recipient text, body text, blocks jsonb, claim bool)),
lk AS (SELECT inp.* FROM tasks t JOIN inp ON inp.task_id = t.id
        WHERE t.status = 'scheduled' AND t.next_run_at = inp.occ AND t.version = inp.version ORDER BY t.id FOR UPDATE OF t),
ins AS (
  INSERT INTO task_runs (id, task_id, occurrence, status, started_at, heartbeat_at, finished_at, late_ms, output)
  SELECT run_id, task_id, occ, 'succeeded', started_at, started_at, $2, late_ms, output FROM lk),
dl AS (${outboxInsertCte("lk", { owner: "$3", leaseMs: "$4" })}),
upd AS (
  UPDATE tasks t SET status = (CASE WHEN lk.next IS NULL THEN 'completed' ELSE 'scheduled' END)::"TaskStatus",
    next_run_at = lk.next, timer_at = lk.timer_at, last_run_at = $2, run_count = t.run_count + 1, version = t.version + 1, updated_at = $2
  FROM lk WHERE t.id = lk.task_id RETURNING t.id, t.status::text AS status)
SELECT (SELECT coalesce(jsonb_object_agg(id, status), '{}') FROM upd) AS tasks,
       (SELECT coalesce(jsonb_object_agg(run_id, jsonb_build_array(id, claimed, attempted_at)), '{}') FROM dl) AS deliveries`;

export interface CommitInput {
  peeked: Peeked;
  /** At most one delivery and no follow-up, as for completeMany. */
  done: Completion;
}

/** Outbox rows to write already claimed (see DeliveryWorker.reserve): by whom, for how long, and which. */
export interface CommitClaim {
  owner: string;
  leaseMs: number;
  /** Per input: whether its delivery is written claimed. */
  rows: boolean[];
}

/** A committed run: as Completed, and its delivery when it was written claimed (then not in `deliveries`). */
export interface Committed extends Completed {
  claimed?: { id: string; attemptedAt: Date };
}

/**
 * Claims and finishes many peeked runs at once, one statement. One result per input, in order: null for a
 * conflict (the task changed, or the occurrence has a run row already), where nothing was written.
 */
export async function commitMany(
  pool: pg.Pool,
  items: CommitInput[],
  now: Date,
  claim?: CommitClaim,
): Promise<(Committed | null)[]> {
  const payload = items.map(({ peeked: { run, version }, done }, i) => ({
    ...completionRow(run, done),
    version,
    claim: Boolean(claim?.rows[i]),
  }));
  const { rows } = await pool.query<{
    tasks: Record<string, string>;
    deliveries: Record<string, [string, boolean, string | null]>;
  }>(COMMIT_SQL, [JSON.stringify(payload), now, claim?.owner ?? null, claim?.leaseMs ?? 0]);
  const { tasks, deliveries } = rows[0]!;
  return items.map(({ peeked: { run } }): Committed | null => {
    const status = tasks[run.task.id];
    if (!status) return null;
    const d = deliveries[run.runId];
    if (!d) return { deliveries: [], status };
    if (d[1]) return { deliveries: [], status, claimed: { id: d[0], attemptedAt: new Date(d[2]!) } };
    return { deliveries: [d[0]], status };
  });
}
