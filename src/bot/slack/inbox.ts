import type pg from "pg";
import type { SlackRequest } from "./requests.js";

/**
 * Slack must be acked within 3 seconds, and the work (users.info, interpreting, replying) may take longer.
 * So the request is written to Postgres before the ack as a "received" messages row keyed "inbox:<key>";
 * the conversation stores the real message under <key> and the inbox row is deleted once handled. A crash
 * in between leaves the inbox row, which resume() picks up. Deleting (rather than keeping) it means one
 * messages row per Slack message once things settle.
 */
const inboxId = (key: string) => `inbox:${key}`;

/** Records a request; null when it was seen before (a Slack retry, or a duplicate event id). */
export async function recordInbound(pool: pg.Pool, r: SlackRequest, receivedAt: Date): Promise<string | null> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO messages (direction, channel, external_id, body, address, status, created_at)
     SELECT 'in', 'slack', $1, $2, $3, 'received', $4
      WHERE NOT EXISTS (SELECT 1 FROM messages WHERE channel = 'slack' AND external_id = $5)
     ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
    [inboxId(r.key), r.text, JSON.stringify({ slack: r, receivedAt: receivedAt.toISOString() }), receivedAt, r.key],
  );
  return rows[0]?.id ?? null;
}

/** Removes the inbox row once the conversation has stored and answered the request. */
export async function finishInbound(pool: pg.Pool, id: string): Promise<void> {
  await pool.query(`DELETE FROM messages WHERE id = $1`, [id]);
}

/**
 * Claims inbox rows not handled since `olderThan` (their process died first), marking them "resuming" and
 * restarting their clock, so two instances don't both take one and a resume that dies is tried again later.
 */
export async function claimStale(
  pool: pg.Pool,
  olderThan: Date,
  limit = 50,
): Promise<{ id: string; request: SlackRequest; receivedAt: Date }[]> {
  const { rows } = await pool.query<{ id: string; address: { slack: SlackRequest; receivedAt: string } }>(
    `UPDATE messages SET status = 'resuming', created_at = now()
      WHERE id IN (SELECT id FROM messages WHERE channel = 'slack' AND status IN ('received', 'resuming') AND external_id LIKE 'inbox:%' AND created_at < $1
                    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id, address`,
    [olderThan, limit],
  );
  return rows.map((r) => ({ id: r.id, request: r.address.slack, receivedAt: new Date(r.address.receivedAt) }));
}
