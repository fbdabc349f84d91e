import type pg from "pg";
import type { ClaimedDelivery, OutboxItem } from "./types.js";

/**
 * Every statement that writes `deliveries` (its one owner). The hot path takes many rows per statement
 * (fed by a MicroBatcher); rows are locked in id order, so batches from several workers cannot deadlock.
 * A run's outbox rows are written in the run's own transaction (src/tasks), through insertOutbox or the
 * OUTBOX_INSERT_CTE fragment below, so the message and the run's outcome commit together.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Columns of a claimed row, as ClaimedDelivery names them (`d` the delivery, `u` its user, `t` its task). */
const CLAIMED = `d.id, d.channel, d.recipient, d.body, d.blocks, u.opted_out, u.id AS user_id, d.task_id,
  (t.rrule IS NOT NULL) AS recurring, d.attempts`;

// pending → sending (a row left in sending by a crash is claimed again), attempts + 1.
const CLAIM_SQL = `
WITH lk AS (
  SELECT id FROM deliveries WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'sending') ORDER BY id FOR UPDATE),
d AS (
  UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = NULL, updated_at = now()
    FROM lk WHERE d.id = lk.id RETURNING d.*)
SELECT ${CLAIMED} FROM d JOIN users u ON u.id = d.user_id LEFT JOIN tasks t ON t.id = d.task_id`;

/**
 * Claims many deliveries at once. One result per input, in order: the claimed row, or null when the
 * delivery is not there or not pending. An id repeated within a batch is claimed (and so sent) once.
 */
export async function claimDeliveries(pool: pg.Pool, ids: string[]): Promise<(ClaimedDelivery | null)[]> {
  const unique = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
  if (unique.length === 0) return ids.map(() => null);
  const { rows } = await pool.query<ClaimedDelivery>(CLAIM_SQL, [unique]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const key = id.toLowerCase();
    const row = byId.get(key);
    if (!row) return null;
    byId.delete(key); // a duplicate in the same batch finds it already claimed
    return row;
  });
}

export interface SentDelivery {
  id: string;
  status: string;
  providerId: string | null;
}

// Status callbacks can arrive before this update; never move a delivery backwards.
const FINISH_SQL = `
WITH inp AS (
  SELECT DISTINCT ON (id) id, status, provider_id FROM unnest($1::uuid[], $2::text[], $3::text[]) AS i(id, status, provider_id) ORDER BY id),
lk AS (SELECT d.id FROM deliveries d WHERE d.id IN (SELECT id FROM inp) ORDER BY d.id FOR UPDATE OF d)
UPDATE deliveries d SET status = CASE WHEN d.status = 'sending' THEN inp.status::"DeliveryStatus" ELSE d.status END,
       provider_id = COALESCE(d.provider_id, inp.provider_id), error = NULL, updated_at = now()
  FROM lk, inp WHERE d.id = lk.id AND inp.id = lk.id`;

/** Records many accepted sends at once. */
export async function finishDeliveries(pool: pg.Pool, items: SentDelivery[]): Promise<undefined[]> {
  if (items.length === 0) return [];
  await pool.query(FINISH_SQL, [items.map((i) => i.id), items.map((i) => i.status), items.map((i) => i.providerId)]);
  return items.map(() => undefined);
}

/**
 * A failed attempt: back to pending until `retryAt` (the retry policy's wait), or failed for good.
 * Only a row still in 'sending' moves: a status callback may have recorded more meanwhile.
 */
export async function failDelivery(
  pool: pg.Pool,
  id: string,
  outcome: { final: boolean; error: string; retryAt?: Date },
): Promise<void> {
  await pool.query(
    `UPDATE deliveries SET status = $2, error = $3, next_attempt_at = $4, updated_at = now()
      WHERE id = $1 AND status = 'sending'`,
    [id, outcome.final ? "failed" : "pending", outcome.error.slice(0, 2000), outcome.final ? null : outcome.retryAt],
  );
}

/**
 * Deliveries a crash or a Redis loss left behind: pending since before `olderThan` and due for their
 * next attempt (never queued, or their job lost), or sending with no update for `sendingLeaseMs`
 * (their sender died mid-send).
 */
export async function strandedDeliveries(pool: pg.Pool, olderThan: Date, sendingLeaseMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM deliveries
      WHERE (status = 'pending' AND updated_at < $1 AND (next_attempt_at IS NULL OR next_attempt_at < $1))
         OR (status = 'sending' AND updated_at < now() - $2 * interval '1 millisecond')
      ORDER BY created_at LIMIT 5000`,
    [olderThan, sendingLeaseMs],
  );
  return rows.map((r) => r.id);
}

/** The statuses a delivery may move to `next` from, by a provider's ranking: for one conditional UPDATE. */
export type StatusRank = (next: string) => string[];

/**
 * A provider's report on a message it accepted (Twilio's status callback), by the provider's id: moves the
 * delivery forward only (never back), and keeps the provider's error. Returns the delivery's user, or null
 * when no delivery has that id (yet).
 */
export async function recordProviderStatus(
  pool: pg.Pool,
  providerId: string,
  next: string,
  from: string[],
  error: string | null,
): Promise<{ userId: string } | null> {
  const { rows } = await pool.query<{ user_id: string }>(
    `UPDATE deliveries SET status = CASE WHEN status::text = ANY($3::text[]) THEN $2::"DeliveryStatus" ELSE status END,
            error = COALESCE($4, error), updated_at = now()
      WHERE provider_id = $1 RETURNING user_id`,
    [providerId, next, from, error],
  );
  return rows[0] ? { userId: rows[0].user_id } : null;
}

/**
 * Console reminders that gave up waiting for a session (all retries spent), for the next session of that
 * console user: marked delivered as they are handed over, and returned oldest first.
 */
export async function takeFailedConsoleDeliveries(pool: pg.Pool, consoleName: string): Promise<string[]> {
  const { rows } = await pool.query<{ body: string }>(
    `WITH taken AS (
       UPDATE deliveries d SET status = 'delivered', error = NULL, updated_at = now() FROM users u
        WHERE u.id = d.user_id AND u.console_name = $1 AND d.channel = 'console' AND d.status = 'failed'
        RETURNING d.body, d.created_at)
     SELECT body FROM taken ORDER BY created_at`,
    [consoleName],
  );
  return rows.map((r) => r.body);
}

/** Where a run's outbox rows belong. */
export interface OutboxOwner {
  runId: string;
  taskId: string;
  userId: string;
}

/**
 * Writes a run's outbox rows inside the caller's transaction; unique per run and channel, so a retried run
 * never writes (or sends) twice. Returns the ids of the rows written (pending, for the delivery worker).
 */
export async function insertOutbox(c: pg.PoolClient, owner: OutboxOwner, items: OutboxItem[]): Promise<string[]> {
  const ids: string[] = [];
  for (const d of items) {
    const r = await c.query<{ id: string }>(
      `INSERT INTO deliveries (run_id, task_id, user_id, channel, recipient, body, blocks) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run_id, channel) DO NOTHING RETURNING id`,
      [
        owner.runId,
        owner.taskId,
        owner.userId,
        d.channel,
        d.recipient,
        d.body,
        d.blocks ? JSON.stringify(d.blocks) : null,
      ],
    );
    if (r.rows[0]) ids.push(r.rows[0].id);
  }
  return ids;
}

/**
 * The outbox insert of a batched run completion (src/tasks/runs-batch.ts), as a CTE over `source`, a CTE
 * with columns run_id, task_id, user_id, channel, recipient, body and blocks: the rows are written already
 * claimed ('sending', attempt 1) for the process that completes the runs to send at once.
 */
export const outboxInsertCte = (source: string) => `
  INSERT INTO deliveries (run_id, task_id, user_id, channel, recipient, body, blocks, status, attempts)
  SELECT run_id, task_id, user_id, channel, recipient, body, blocks, 'sending', 1 FROM ${source} WHERE body IS NOT NULL
  ON CONFLICT (run_id, channel) DO NOTHING RETURNING id, run_id`;
