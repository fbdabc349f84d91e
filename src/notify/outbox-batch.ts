import type pg from "pg";
import type { ClaimedDelivery } from "../tasks/index.js";

/**
 * The delivery worker's hot path, many deliveries per statement (fed by a MicroBatcher): the claim and
 * the success update, with the same rules as the single-row statements they replace. Rows are locked in
 * id order, so batches from several workers cannot deadlock each other.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// pending → sending (a row left in sending by a crash is claimed again), attempts + 1.
const CLAIM_SQL = `
WITH lk AS (
  SELECT id FROM deliveries WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'sending') ORDER BY id FOR UPDATE)
UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, updated_at = now()
  FROM lk, users u WHERE d.id = lk.id AND u.id = d.user_id
RETURNING d.id, d.channel, d.recipient, d.body, u.opted_out, u.id AS user_id, d.attempts`;

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
