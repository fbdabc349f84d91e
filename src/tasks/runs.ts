import type pg from "pg";
import { insertOutbox, type OutboxItem } from "../notify/index.js";
import { occurrenceToFire } from "./schedule.js";

/**
 * The run's SQL, one transaction per call: claiming an occurrence, finishing it with its outbox rows,
 * and giving it up. This is the careful path (misfires, follow-ups, failures); the batched hot path in
 * runs-batch.ts does the common cases many at a time with the same rules.
 */
export interface ClaimedRun {
  runId: string;
  /** Which attempt at this occurrence (a takeover after a crash or a retry after a failure adds one). */
  attempt: number;
  /** The occurrence this run is for. */
  occurrence: Date;
  task: {
    id: string;
    userId: string;
    title: string;
    instruction: string;
    runAt: Date | null;
    rrule: string | null;
    dtstart: Date | null;
    timezone: string;
    channel: string;
    /** "reminder" or "sitrep" (see the task's kind column), and what the kind needs. */
    kind: string;
    params: Record<string, unknown> | null;
    /** Someone other than the owner the task reaches (approved, since it runs). */
    audience: string | null;
    runCount: number;
  };
  user: {
    id: string;
    name: string | null;
    timezone: string;
    phone: string | null;
    email: string | null;
    slackUserId: string | null;
    consoleName: string | null;
    optedOut: boolean;
  };
  previousOutputs: string[];
}

/**
 * - claimed: this worker owns the run.
 * - busy: another worker holds a live claim on the occurrence; look again once its lease could lapse.
 * - moveTo: a recurring task had missed occurrences; it now waits for `moveTo`, its latest, instead.
 * - otherwise there is nothing to do (the task is gone, changed, or already ran this occurrence).
 */
export type ClaimResult =
  | { claimed: true; run: ClaimedRun }
  | { claimed: false; reason: string; busy?: boolean; moveTo?: Date };

export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Columns both claim paths select, aliased as rowToRun expects. */
export const CLAIM_COLUMNS = `t.id, t.user_id, t.title, t.instruction, t.run_at, t.rrule, t.dtstart, t.timezone, t.channel, t.kind, t.params, t.audience, t.status, t.next_run_at, t.run_count,
  u.name, u.timezone AS user_tz, u.phone, u.email, u.slack_user_id, u.console_name, u.opted_out`;

/**
 * The run row's upsert: a new occurrence inserts; an existing one is taken over only when its worker
 * went silent past the lease, or when the task was re-armed for the same instant after the run was
 * skipped or failed (a resumed one-off). Anything else conflicts and returns no row.
 */
export const upsertRun = (leaseParam: string) => `ON CONFLICT (task_id, occurrence) DO UPDATE
  SET attempt = task_runs.attempt + 1, status = 'running', heartbeat_at = EXCLUDED.heartbeat_at, started_at = EXCLUDED.started_at,
      late_ms = EXCLUDED.late_ms, finished_at = NULL, error = NULL, retry_at = NULL
  WHERE task_runs.status IN ('skipped', 'failed') OR (task_runs.status = 'running' AND task_runs.heartbeat_at < EXCLUDED.heartbeat_at - ${leaseParam} * interval '1 millisecond')`;

/** Milliseconds late, clamped to the int column. */
export const lateOf = (occurrence: Date, now: Date) =>
  Math.min(Math.max(0, now.getTime() - occurrence.getTime()), 2_000_000_000);

// biome-ignore lint/suspicious/noExplicitAny: a raw pg row, typed by the two claim queries that select CLAIM_COLUMNS
export function rowToRun(row: any, runId: string, attempt: number, previousOutputs: string[]): ClaimedRun {
  return {
    runId,
    attempt,
    occurrence: row.next_run_at,
    task: {
      id: row.id,
      userId: row.user_id,
      title: row.title,
      instruction: row.instruction,
      runAt: row.run_at,
      rrule: row.rrule,
      dtstart: row.dtstart,
      timezone: row.timezone,
      channel: row.channel,
      kind: row.kind,
      params: row.params,
      audience: row.audience,
      runCount: row.run_count,
    },
    user: {
      id: row.user_id,
      name: row.name,
      timezone: row.user_tz,
      phone: row.phone,
      email: row.email,
      slackUserId: row.slack_user_id,
      consoleName: row.console_name,
      optedOut: row.opted_out,
    },
    previousOutputs,
  };
}

/**
 * Claims an occurrence by inserting its run row; (task, occurrence) is unique, so a second claim is a
 * no-op. A recurring task overdue by more than `graceMs` is first moved to its latest missed occurrence
 * (misfire policy), which the caller then sets a timer for.
 */
export function claimRun(
  pool: pg.Pool,
  taskId: string,
  occurrence: Date,
  now: Date,
  leaseMs: number,
  graceMs = Infinity,
): Promise<ClaimResult> {
  return tx(pool, async (c) => {
    const t = await c.query(
      `SELECT ${CLAIM_COLUMNS} FROM tasks t JOIN users u ON u.id = t.user_id WHERE t.id = $1 FOR UPDATE OF t`,
      [taskId],
    );
    const row = t.rows[0];
    if (!row) return { claimed: false, reason: "task not found" };
    if (row.status !== "scheduled" && row.status !== "running")
      return { claimed: false, reason: `task is ${row.status}` };
    if (!row.next_run_at || row.next_run_at.getTime() !== occurrence.getTime())
      return { claimed: false, reason: "occurrence no longer current" };
    if (row.status === "scheduled") {
      const fire = occurrenceToFire(
        { runAt: row.run_at, rrule: row.rrule, dtstart: row.dtstart, timezone: row.timezone },
        occurrence,
        now,
        graceMs,
      );
      if (fire.getTime() !== occurrence.getTime()) {
        await c.query(`UPDATE tasks SET next_run_at = $2, timer_at = $2 WHERE id = $1`, [taskId, fire]);
        return { claimed: false, reason: "misfired: moved to the latest missed occurrence", moveTo: fire };
      }
    }
    const r = await c.query(
      `INSERT INTO task_runs (task_id, occurrence, late_ms, started_at, heartbeat_at) VALUES ($1, $2, $3, GREATEST($4::timestamptz, $2::timestamptz), $4) ${upsertRun("$5")}
       RETURNING id, attempt`,
      [taskId, occurrence, lateOf(occurrence, now), now, leaseMs],
    );
    if (!r.rows[0]) return { claimed: false, reason: "occurrence claimed by a live worker", busy: true };
    await c.query(`UPDATE tasks SET status = 'running' WHERE id = $1`, [taskId]);
    const prev =
      row.run_count === 0
        ? { rows: [] }
        : await c.query(
            `SELECT output FROM task_runs WHERE task_id = $1 AND occurrence < $2 AND status = 'succeeded' AND output IS NOT NULL ORDER BY occurrence DESC LIMIT 3`,
            [taskId, occurrence],
          );
    return {
      claimed: true,
      run: rowToRun(
        row,
        r.rows[0].id,
        r.rows[0].attempt,
        prev.rows.map((p: { output: string }) => p.output),
      ),
    };
  });
}

/** Keeps runs' claims alive (each only while its attempt still owns it): one statement for all of a worker's runs. */
export async function heartbeat(pool: pg.Pool, runs: ClaimedRun[], now: Date): Promise<void> {
  if (runs.length === 0) return;
  await pool.query(
    `UPDATE task_runs r SET heartbeat_at = $3 FROM unnest($1::uuid[], $2::int[]) AS v(id, attempt)
      WHERE r.id = v.id AND r.attempt = v.attempt AND r.status = 'running'`,
    [runs.map((r) => r.runId), runs.map((r) => r.attempt), now],
  );
}

export interface Completion {
  /** When execution began and how late that was (the claim may precede the due instant). */
  startedAt: Date;
  lateMs: number;
  output: string;
  deliveries: OutboxItem[];
  /** The task's next occurrence, or null when it has none left. */
  next: Date | null;
  /** Set when a timer for `next` is being set right after (it is within the horizon). */
  timerAt?: Date | null;
  usage?: unknown;
  /** A one-off task for the same owner and channel, created in the same transaction. */
  followUp?: { at: Date; title: string; instruction: string };
}

/**
 * The outcome of finishing a run: the task's status after it ("lost" when another worker took the run
 * over), and the ids of its outbox rows (pending, for the delivery worker to claim and send).
 */
export interface Completed {
  deliveries: string[];
  status: string;
}

/**
 * Finishes a run in one transaction: the run row, its outbox rows (unique per run and channel, so a
 * retried run never sends twice) and the task's next occurrence. A task cancelled or paused while the run
 * was working sends nothing; a run taken over by another worker (this one was presumed dead) writes nothing.
 */
export function completeRun(pool: pg.Pool, run: ClaimedRun, done: Completion, now: Date): Promise<Completed> {
  return tx(pool, async (c) => {
    const t = await c.query(`SELECT status, next_run_at FROM tasks WHERE id = $1 FOR UPDATE`, [run.task.id]);
    const status = t.rows[0]?.status as string | undefined;
    // Still this run's task: running, and for this occurrence (a reschedule meanwhile may have started another run).
    const ok = status === "running" && t.rows[0]?.next_run_at?.getTime() === run.occurrence.getTime();
    const mine = await c.query(
      `UPDATE task_runs SET status = $4, finished_at = $3, output = $5, usage = $6, error = $7, started_at = $8, late_ms = $9
        WHERE id = $1 AND attempt = $2 AND status = 'running'`,
      [
        run.runId,
        run.attempt,
        now,
        ok ? "succeeded" : "skipped",
        ok ? done.output : null,
        ok && done.usage ? JSON.stringify(done.usage) : null,
        ok ? null : `task became ${status === "running" ? "rescheduled" : status} during the run`,
        done.startedAt,
        Math.min(done.lateMs, 2_000_000_000),
      ],
    );
    if (mine.rowCount === 0) return { deliveries: [], status: "lost" };
    if (!ok) return { deliveries: [], status: status ?? "missing" };
    const ids = await insertOutbox(
      c,
      { runId: run.runId, taskId: run.task.id, userId: run.task.userId },
      done.deliveries,
    );
    if (done.followUp) {
      await c.query(
        `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, channel, status)
         SELECT user_id, $2, $3, $4, timezone, $4, channel, 'scheduled' FROM tasks WHERE id = $1`,
        [run.task.id, done.followUp.title, done.followUp.instruction, done.followUp.at],
      );
    }
    const next = done.next ? "scheduled" : "completed";
    await c.query(
      `UPDATE tasks SET status = $2, next_run_at = $3, timer_at = $5, last_run_at = $4, run_count = run_count + 1, version = version + 1, updated_at = $4 WHERE id = $1`,
      [run.task.id, next, done.next, now, done.timerAt ?? null],
    );
    return { deliveries: ids, status: next };
  });
}

/**
 * Gives a failed attempt back: the lease is released so the next attempt, due at `retryAt` (the retry
 * policy's wait), can claim it at once; the reconciler re-arms a lost retry for that time, not sooner.
 */
export async function releaseRun(pool: pg.Pool, run: ClaimedRun, error: string, retryAt: Date): Promise<void> {
  await pool.query(
    `UPDATE task_runs SET heartbeat_at = 'epoch', error = $3, retry_at = $4 WHERE id = $1 AND attempt = $2 AND status = 'running'`,
    [run.runId, run.attempt, error.slice(0, 2000), retryAt],
  );
}

/**
 * The last attempt failed: the run is failed; a recurring task keeps its schedule (moves to `next`),
 * a one-off is marked failed. Returns false when the run was no longer this worker's.
 */
export function failRun(pool: pg.Pool, run: ClaimedRun, error: string, next: Date | null, now: Date): Promise<boolean> {
  return tx(pool, async (c) => {
    const r = await c.query(
      `UPDATE task_runs SET status = 'failed', finished_at = $3, error = $4 WHERE id = $1 AND attempt = $2 AND status = 'running'`,
      [run.runId, run.attempt, now, error.slice(0, 2000)],
    );
    if (r.rowCount === 0) return false;
    await c.query(
      `UPDATE tasks SET status = CASE WHEN status = 'running' AND next_run_at = $5 THEN $2::"TaskStatus" ELSE status END,
                        next_run_at = CASE WHEN status = 'running' AND next_run_at = $5 THEN $3 ELSE next_run_at END,
                        last_run_at = $4, version = version + 1, updated_at = $4 WHERE id = $1`,
      [run.task.id, next ? "scheduled" : "failed", next, now, run.occurrence],
    );
    return true;
  });
}
