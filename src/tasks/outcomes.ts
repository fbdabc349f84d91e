import type pg from "pg";

/**
 * Success means the message reached its owner: a run whose messages all failed (for good, or the carrier
 * reported them undelivered) is failed, and so is its one-off task; a failed message that a re-send gets
 * through makes them succeeded and completed again. Called by the runtime from the outbox's hooks and the
 * providers' status callbacks; the outbox (src/notify) knows nothing of runs' outcomes.
 */
const MARK = "not delivered: ";

/** A delivery failed for good: its run fails if none of its messages is still under way or through. */
export async function runUndelivered(pool: pg.Pool, deliveryId: string, error: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `WITH r AS (
       UPDATE task_runs r SET status = 'failed', error = $2 FROM deliveries d
        WHERE d.id = $1 AND r.id = d.run_id AND r.status = 'succeeded'
          AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.run_id = r.id
                           AND x.status IN ('pending', 'sending', 'queued', 'sent', 'delivered', 'held'))
        RETURNING r.task_id)
     UPDATE tasks t SET status = 'failed', version = version + 1, updated_at = now()
       FROM r WHERE t.id = r.task_id AND t.status = 'completed' AND t.rrule IS NULL`,
    [deliveryId, `${MARK}${error}`.slice(0, 2000)],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Deliveries got through after all (a re-send): a run failed only by its messages succeeds again. Takes
 * many ids per statement. Called only for re-sent messages: a run fails by its messages only once none of
 * them is under way, so a message being sent for the first time never finds its run failed.
 */
export async function runDelivered(pool: pg.Pool, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await pool.query(
    `WITH r AS (
       UPDATE task_runs r SET status = 'succeeded', error = NULL FROM deliveries d
        WHERE d.id = ANY($1::uuid[]) AND r.id = d.run_id AND r.status = 'failed' AND starts_with(r.error, $2)
        RETURNING r.task_id)
     UPDATE tasks t SET status = 'completed', version = version + 1, updated_at = now()
       FROM r WHERE t.id = r.task_id AND t.status = 'failed' AND t.rrule IS NULL`,
    [deliveryIds, MARK],
  );
}
