import type pg from "pg";
import type { Logger } from "../log/index.js";

/**
 * Housekeeping: a scheduled job that prunes rows past the retention (runs, messages, deliveries, audit
 * entries, stale worker rows), each table by its owner's prune function, in batches so no statement holds
 * locks for long. One process at a time does it (an advisory lock); the others skip the round. Deletes are
 * marked so the ops counters keep counting what was pruned (see pruneBatch in src/db).
 */
export interface PruneStep {
  name: string;
  /** Deletes up to `batch` rows older than `before`; returns how many. */
  prune(before: Date, batch: number): Promise<number>;
  /** Overrides the retention for this step (stale worker rows go after a day). */
  retentionMs?: number;
}

export interface HousekeepingOptions {
  pool: pg.Pool;
  steps: PruneStep[];
  retentionMs: number;
  batch: number;
  logger: Logger;
  /** Batches per step per round, so one round ends even on a huge backlog. @defaultValue 100 */
  maxBatches?: number;
  now?: () => Date;
}

const LOCK = 72707371;

/** One round: each step until a short batch (or maxBatches); returns rows deleted per step. Null when another process holds the round. */
export async function runHousekeeping(o: HousekeepingOptions): Promise<Record<string, number> | null> {
  const c = await o.pool.connect();
  try {
    const { rows } = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1) AS ok`, [LOCK]);
    if (!rows[0]?.ok) return null;
    try {
      const out: Record<string, number> = {};
      const now = (o.now ?? (() => new Date()))();
      for (const step of o.steps) {
        const before = new Date(now.getTime() - (step.retentionMs ?? o.retentionMs));
        let total = 0;
        for (let i = 0; i < (o.maxBatches ?? 100); i++) {
          const n = await step.prune(before, o.batch);
          total += n;
          if (n < o.batch) break;
        }
        out[step.name] = total;
      }
      if (Object.values(out).some((n) => n > 0)) o.logger.info({ pruned: out }, "housekeeping pruned old rows");
      return out;
    } finally {
      await c.query(`SELECT pg_advisory_unlock($1)`, [LOCK]);
    }
  } finally {
    c.release();
  }
}

/** Runs housekeeping every `everyMs` (first round after a minute); returns the stop function. */
export function startHousekeeping(
  o: HousekeepingOptions & { everyMs: number; firstAfterMs?: number },
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const round = () => {
    running = running
      .then(() => runHousekeeping(o))
      .catch((err) => o.logger.warn({ err: (err as Error).message }, "housekeeping failed; will retry next round"));
  };
  const first = setTimeout(round, o.firstAfterMs ?? 60_000);
  const every = setInterval(round, o.everyMs);
  first.unref();
  every.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
