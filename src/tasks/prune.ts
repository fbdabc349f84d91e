import type pg from "pg";
import { pruneBatch } from "../db/index.js";

/**
 * Housekeeping of the tables src/tasks owns: runs (with their deliveries) and audit entries older than
 * the retention, in batches. Runs still running are kept whatever their age. The LLM's context of a task
 * (its last outputs) then reaches back no further than the retention.
 */
export function pruneRuns(pool: pg.Pool, before: Date, batch: number): Promise<number> {
  return pruneBatch(
    pool,
    `DELETE FROM task_runs WHERE id IN (SELECT id FROM task_runs WHERE started_at < $1 AND status <> 'running' ORDER BY started_at LIMIT $2)`,
    [before, batch],
  );
}

export function pruneAudit(pool: pg.Pool, before: Date, batch: number): Promise<number> {
  return pruneBatch(
    pool,
    `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)`,
    [before, batch],
  );
}
