import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";

/**
 * The worker list: each worker process keeps a row in `workers` (host, pid, started, last heartbeat, runs
 * in flight and processed), renewed every few seconds and removed when it stops. The sitrep lists the
 * rows whose heartbeat is recent; a process that died leaves a row that simply stops being listed (and
 * housekeeping removes it).
 */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  roles: string;
  startedAt: Date;
  heartbeatAt: Date;
  inFlight: number;
  processed: number;
}

/** A row older than this is not a live worker. */
export const WORKER_STALE_MS = 60_000;

/** Live workers, oldest first. */
export async function liveWorkers(pool: pg.Pool, now: Date): Promise<WorkerRow[]> {
  const { rows } = await pool.query<WorkerRow>(
    `SELECT id, host, pid, roles, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", in_flight AS "inFlight", processed::float8 AS processed
       FROM workers WHERE heartbeat_at > $1 ORDER BY started_at, id LIMIT 100`,
    [new Date(now.getTime() - WORKER_STALE_MS)],
  );
  return rows;
}

/**
 * Starts this process's heartbeat; returns the stop function, which removes its row. Failures to write
 * are ignored (Postgres briefly away): the next beat tries again.
 */
export function startWorkerBeat(o: {
  pool: pg.Pool;
  roles: string[];
  stats: () => { inFlight: number; processed: number };
  everyMs?: number;
}): () => Promise<void> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const startedAt = new Date();
  const beat = () => {
    const s = o.stats();
    return o.pool
      .query(
        `INSERT INTO workers (id, host, pid, roles, started_at, heartbeat_at, in_flight, processed) VALUES ($1, $2, $3, $4, $5, now(), $6, $7)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), in_flight = EXCLUDED.in_flight, processed = EXCLUDED.processed`,
        [id, hostname(), process.pid, o.roles.join(","), startedAt, s.inFlight, s.processed],
      )
      .catch(() => {});
  };
  let last = beat();
  const handle = setInterval(() => {
    last = last.then(beat);
  }, o.everyMs ?? 10_000);
  handle.unref();
  return async () => {
    clearInterval(handle);
    await last;
    await o.pool.query(`DELETE FROM workers WHERE id = $1`, [id]).catch(() => {});
  };
}

/** Housekeeping: worker rows whose heartbeat stopped before `before`. */
export async function pruneWorkers(pool: pg.Pool, before: Date, batch: number): Promise<number> {
  const r = await pool.query(
    `DELETE FROM workers WHERE id IN (SELECT id FROM workers WHERE heartbeat_at < $1 LIMIT $2)`,
    [before, batch],
  );
  return r.rowCount ?? 0;
}
