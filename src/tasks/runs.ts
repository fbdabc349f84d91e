import type pg from "pg";

/**
 * The run's SQL: claiming an occurrence, finishing it with its outbox rows, and giving it up.
 * Raw SQL on the shared pool: this is the hot path, and each step is one short transaction.
 */
export interface ClaimedRun {
  runId: string;
  attempt: number;
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
    runCount: number;
  };
  user: { id: string; name: string | null; timezone: string; phone: string | null; email: string | null; slackUserId: string | null; consoleName: string | null; optedOut: boolean };
  previousOutputs: string[];
}

export type ClaimResult = { claimed: true; run: ClaimedRun } | { claimed: false; reason: string };

async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
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

/**
 * Claims an occurrence by inserting its run row; (task, occurrence) is unique, so a second claim is a no-op.
 * A run left "running" by a worker that died (heartbeat older than `leaseMs`) is taken over, attempt + 1.
 * A timer for an occurrence the task no longer has (cancelled, paused, moved) claims nothing.
 */
export function claimRun(pool: pg.Pool, taskId: string, occurrence: Date, now: Date, leaseMs: number): Promise<ClaimResult> {
  return tx(pool, async (c) => {
    const t = await c.query(
      `SELECT t.id, t.user_id, t.title, t.instruction, t.run_at, t.rrule, t.dtstart, t.timezone, t.channel, t.status, t.next_run_at, t.run_count,
              u.name, u.timezone AS user_tz, u.phone, u.email, u.slack_user_id, u.console_name, u.opted_out
         FROM tasks t JOIN users u ON u.id = t.user_id WHERE t.id = $1 FOR UPDATE OF t`,
      [taskId],
    );
    const row = t.rows[0];
    if (!row) return { claimed: false, reason: "task not found" };
    if (row.status !== "scheduled" && row.status !== "running") return { claimed: false, reason: `task is ${row.status}` };
    if (!row.next_run_at || row.next_run_at.getTime() !== occurrence.getTime()) return { claimed: false, reason: "occurrence no longer current" };
    const lateMs = Math.max(0, now.getTime() - occurrence.getTime());
    const r = await c.query(
      `INSERT INTO task_runs (task_id, occurrence, late_ms, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (task_id, occurrence) DO UPDATE SET attempt = task_runs.attempt + 1, heartbeat_at = EXCLUDED.heartbeat_at, error = NULL
         WHERE task_runs.status = 'running' AND task_runs.heartbeat_at < $5
       RETURNING id, attempt`,
      [taskId, occurrence, Math.min(lateMs, 2_000_000_000), now, new Date(now.getTime() - leaseMs)],
    );
    if (!r.rows[0]) return { claimed: false, reason: "occurrence already claimed" };
    await c.query(`UPDATE tasks SET status = 'running' WHERE id = $1`, [taskId]);
    const prev = await c.query(
      `SELECT output FROM task_runs WHERE task_id = $1 AND status = 'succeeded' AND output IS NOT NULL ORDER BY occurrence DESC LIMIT 3`,
      [taskId],
    );
    return {
      claimed: true,
      run: {
        runId: r.rows[0].id,
        attempt: r.rows[0].attempt,
        task: { id: row.id, userId: row.user_id, title: row.title, instruction: row.instruction, runAt: row.run_at, rrule: row.rrule, dtstart: row.dtstart, timezone: row.timezone, channel: row.channel, runCount: row.run_count },
        user: { id: row.user_id, name: row.name, timezone: row.user_tz, phone: row.phone, email: row.email, slackUserId: row.slack_user_id, consoleName: row.console_name, optedOut: row.opted_out },
        previousOutputs: prev.rows.map((p) => p.output as string),
      },
    };
  });
}

/** Keeps a long run's claim alive. */
export async function heartbeat(pool: pg.Pool, runId: string, now: Date): Promise<void> {
  await pool.query(`UPDATE task_runs SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'`, [runId, now]);
}

export interface OutboxItem {
  channel: string;
  recipient: string;
  body: string;
}

export interface Completion {
  output: string;
  deliveries: OutboxItem[];
  /** The task's next occurrence, or null when it has none left. */
  next: Date | null;
  usage?: unknown;
  /** A one-off task for the same owner and channel, created in the same transaction. */
  followUp?: { at: Date; title: string; instruction: string };
}

/**
 * Finishes a run in one transaction: the run row, its outbox rows (unique per run and channel, so a
 * retried run never sends twice) and the task's next occurrence. A task cancelled or paused while the run
 * was working sends nothing. Returns the ids of the deliveries to send.
 */
export function completeRun(pool: pg.Pool, run: ClaimedRun, done: Completion, now: Date): Promise<{ deliveryIds: string[]; status: string }> {
  return tx(pool, async (c) => {
    const t = await c.query(`SELECT status FROM tasks WHERE id = $1 FOR UPDATE`, [run.task.id]);
    const status = t.rows[0]?.status as string | undefined;
    if (status !== "running") {
      await c.query(`UPDATE task_runs SET status = 'skipped', finished_at = $2, error = $3 WHERE id = $1`, [run.runId, now, `task became ${status} during the run`]);
      return { deliveryIds: [], status: status ?? "missing" };
    }
    await c.query(`UPDATE task_runs SET status = 'succeeded', finished_at = $2, output = $3, usage = $4 WHERE id = $1`, [run.runId, now, done.output, done.usage ? JSON.stringify(done.usage) : null]);
    const ids: string[] = [];
    for (const d of done.deliveries) {
      const r = await c.query(
        `INSERT INTO deliveries (run_id, task_id, user_id, channel, recipient, body) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (run_id, channel) DO NOTHING RETURNING id`,
        [run.runId, run.task.id, run.task.userId, d.channel, d.recipient, d.body],
      );
      if (r.rows[0]) ids.push(r.rows[0].id);
    }
    if (done.followUp) {
      await c.query(
        `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, channel, status)
         SELECT user_id, $2, $3, $4, timezone, $4, channel, 'scheduled' FROM tasks WHERE id = $1`,
        [run.task.id, done.followUp.title, done.followUp.instruction, done.followUp.at],
      );
    }
    const next = done.next ? "scheduled" : "completed";
    await c.query(
      `UPDATE tasks SET status = $2, next_run_at = $3, last_run_at = $4, run_count = run_count + 1, version = version + 1, updated_at = $4 WHERE id = $1`,
      [run.task.id, next, done.next, now],
    );
    return { deliveryIds: ids, status: next };
  });
}

/** Gives a failed attempt back: the lease is released so the next attempt can claim it at once. */
export async function releaseRun(pool: pg.Pool, runId: string, error: string): Promise<void> {
  await pool.query(`UPDATE task_runs SET heartbeat_at = 'epoch', error = $2 WHERE id = $1 AND status = 'running'`, [runId, error.slice(0, 2000)]);
}

/**
 * The last attempt failed: the run is failed; a recurring task keeps its schedule (moves to `next`),
 * a one-off is marked failed.
 */
export function failRun(pool: pg.Pool, run: ClaimedRun, error: string, next: Date | null, now: Date): Promise<void> {
  return tx(pool, async (c) => {
    await c.query(`UPDATE task_runs SET status = 'failed', finished_at = $2, error = $3 WHERE id = $1`, [run.runId, now, error.slice(0, 2000)]);
    await c.query(
      `UPDATE tasks SET status = CASE WHEN status = 'running' THEN $2::"TaskStatus" ELSE status END,
                        next_run_at = CASE WHEN status = 'running' THEN $3 ELSE next_run_at END,
                        last_run_at = $4, version = version + 1, updated_at = $4 WHERE id = $1`,
      [run.task.id, next ? "scheduled" : "failed", next, now],
    );
  });
}
