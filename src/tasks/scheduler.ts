import type pg from "pg";
import type { Logger } from "../log/index.js";
import { occurrenceToFire } from "./schedule.js";
import type { Timers } from "./timers.js";

export interface SchedulerOptions {
  pool: pg.Pool;
  timers: Timers;
  logger: Logger;
  now?: () => Date;
  /** Only tasks due within this horizon get a Redis timer, so Redis memory stays flat however many are stored. */
  horizonMs: number;
  /** A recurring task overdue by more than this fires its latest missed occurrence only. */
  misfireGraceMs?: number;
  /** Rows per query. */
  batch?: number;
  /**
   * A run whose heartbeat is older than this, with its timer gone from Redis, gets its timer back (its worker
   * died, or its retry was lost with Redis). At least the engine's lease. @defaultValue 30000
   */
  stuckAfterMs?: number;
  /** Called when timers that should have been in Redis were missing (Redis lost data). */
  onTimersRecreated?: (count: number) => void;
}

type Row = {
  id: string;
  next_run_at: Date;
  runAt: Date | null;
  rrule: string | null;
  dtstart: Date | null;
  timezone: string;
  timer_at: Date | null;
};

/**
 * Moves tasks into the horizon as time passes, and reconciles: any due or in-horizon occurrence without a
 * timer gets one. Both are idempotent (timer ids are derived), so every worker may run them.
 */
export class Scheduler {
  private readonly now: () => Date;

  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /**
   * Sets timers for in-horizon tasks that have none yet (timer_at differs from next_run_at): sweeps, one
   * per second of due time (see SWEEP_MS). Overdue recurring tasks first jump to their latest missed occurrence.
   */
  async advanceHorizon(): Promise<number> {
    const now = this.now();
    const batch = this.o.batch ?? 5000;
    let total = 0;
    for (;;) {
      const { rows } = await this.o.pool.query<Row>(
        `SELECT id, next_run_at, run_at AS "runAt", rrule, dtstart, timezone, timer_at FROM tasks
          WHERE status = 'scheduled' AND next_run_at <= $1 AND (timer_at IS NULL OR timer_at <> next_run_at)
          ORDER BY next_run_at LIMIT $2`,
        [new Date(now.getTime() + this.o.horizonMs), batch],
      );
      if (rows.length === 0) return total;
      const items = rows.map((r) => ({
        taskId: r.id,
        occurrence: occurrenceToFire(r, r.next_run_at, now, this.o.misfireGraceMs ?? 60_000),
      }));
      // Only where the task is still as read: a reschedule or cancel meanwhile must not be overwritten.
      // Rows are locked in id order first, as the engine's batches lock them, so the two cannot deadlock.
      // The rows are moved before their sweeps are set, so a sweep that fires at once finds them in place.
      const moved = await this.o.pool.query<{ next_run_at: Date }>(
        `WITH v AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS v(id, occ, was)),
              lk AS (SELECT t.id FROM tasks t JOIN v ON v.id = t.id ORDER BY t.id FOR UPDATE OF t)
         UPDATE tasks t SET next_run_at = v.occ, timer_at = v.occ FROM v
          WHERE t.id = v.id AND t.status = 'scheduled' AND t.next_run_at = v.was AND (SELECT count(*) FROM lk) >= 0
         RETURNING t.next_run_at`,
        [items.map((i) => i.taskId), items.map((i) => i.occurrence), rows.map((r) => r.next_run_at)],
      );
      await this.o.timers.sweep(
        moved.rows.map((r) => r.next_run_at),
        this.now(),
      );
      total += items.length;
      if (rows.length < batch) return total;
    }
  }

  /**
   * Checks that every in-horizon task whose timer was set still has it in Redis, and re-creates the
   * missing ones (Redis flushed or restarted empty). Returns how many were re-created.
   */
  async reconcile(): Promise<number> {
    const now = this.now();
    const batch = this.o.batch ?? 5000;
    let after = new Date(0);
    let afterId = "00000000-0000-0000-0000-000000000000";
    let recreated = 0;
    for (;;) {
      const { rows } = await this.o.pool.query<Row>(
        `SELECT id, next_run_at, run_at AS "runAt", rrule, dtstart, timezone, timer_at FROM tasks
          WHERE status = 'scheduled' AND next_run_at <= $1 AND timer_at = next_run_at AND (next_run_at, id) > ($2, $3::uuid)
          ORDER BY next_run_at, id LIMIT $4`,
        [new Date(now.getTime() + this.o.horizonMs), after, afterId, batch],
      );
      if (rows.length === 0) break;
      const items = rows.map((r) => ({ taskId: r.id, occurrence: r.next_run_at }));
      const exists = await this.o.timers.existing(items);
      const missing = items.filter((_, i) => !exists[i]);
      if (missing.length) await this.o.timers.set(missing, this.now());
      recreated += missing.length;
      const last = rows[rows.length - 1]!;
      after = last.next_run_at;
      afterId = last.id;
      if (rows.length < batch) break;
    }
    // A task still unclaimed well after its time has a timer that is not going to fire: re-arm it.
    const overdue = await this.o.pool.query<{ id: string; next_run_at: Date }>(
      `SELECT id, next_run_at FROM tasks WHERE status = 'scheduled' AND next_run_at < $1 AND timer_at = next_run_at ORDER BY next_run_at LIMIT 1000`,
      [new Date(now.getTime() - (this.o.stuckAfterMs ?? 30_000))],
    );
    recreated += await this.o.timers.rearmOrphans(
      overdue.rows.map((r) => ({ taskId: r.id, occurrence: r.next_run_at })),
      this.now(),
    );
    // A run claimed but abandoned with its job gone (Redis lost mid-run) is picked up again through its timer.
    const stuck = await this.o.pool.query<{ task_id: string; occurrence: Date; retry_at: Date | null }>(
      `SELECT r.task_id, r.occurrence, r.retry_at FROM task_runs r JOIN tasks t ON t.id = r.task_id
        WHERE r.status = 'running' AND t.status = 'running' AND t.next_run_at = r.occurrence AND r.heartbeat_at < $1 LIMIT $2`,
      [new Date(now.getTime() - (this.o.stuckAfterMs ?? 30_000)), batch],
    );
    if (stuck.rows.length) {
      // A failed attempt's retry keeps its wait (retry_at), so a lost retry timer is not brought forward.
      const items = stuck.rows.map((r) => ({
        taskId: r.task_id,
        occurrence: r.occurrence,
        notBefore: r.retry_at ?? undefined,
      }));
      const exists = await this.o.timers.existing(items);
      const missing = items.filter((_, i) => !exists[i]);
      if (missing.length) await this.o.timers.set(missing, this.now());
      recreated += missing.length;
    }
    if (recreated) {
      this.o.logger.warn({ recreated }, "re-created timers missing from Redis");
      this.o.onTimersRecreated?.(recreated);
    }
    return recreated;
  }

  /**
   * Runs both now and then: the horizon pass every `intervalMs`, the reconcile every `reconcileEveryMs`.
   * `reconcileNow()` brings the next reconcile forward to right away (Redis was seen losing its data), after
   * whatever pass is running. Errors are logged, never thrown.
   */
  loop(intervalMs: number, reconcileEveryMs: number): SchedulerLoop {
    let stopped = false;
    let lastReconcile = 0;
    let running: Promise<void> = Promise.resolve();
    const tick = async (reconcile = false) => {
      if (stopped) return;
      try {
        if (reconcile) lastReconcile = 0;
        await this.advanceHorizon();
        if (Date.now() - lastReconcile >= reconcileEveryMs) {
          lastReconcile = Date.now();
          await this.reconcile();
        }
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, "scheduler tick failed; will retry");
      }
    };
    running = tick();
    const handle = setInterval(() => {
      running = running.then(() => tick());
    }, intervalMs);
    return {
      reconcileNow: () => {
        running = running.then(() => tick(true));
        return running;
      },
      stop: async () => {
        stopped = true;
        clearInterval(handle);
        await running;
      },
    };
  }
}

/** The scheduler's background passes, as `loop` started them. */
export interface SchedulerLoop {
  /** Re-arms at once: a horizon pass and a full reconcile, queued after the pass under way. */
  reconcileNow(): Promise<void>;
  stop(): Promise<void>;
}
