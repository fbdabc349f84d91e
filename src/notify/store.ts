import type pg from "pg";
import { pruneBatch } from "../db/index.js";
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
  (t.rrule IS NOT NULL) AS recurring, d.attempts, d.attempted_at, (d.was = 'sending') AS taken_over,
  (d.resent_at IS NOT NULL) AS resent`;

/** A delivery in 'sending' whose lease has passed (a row from before leases: a lease from its last update). */
const LAPSED = `COALESCE(lease_until, updated_at + $3 * interval '1 millisecond') < now()`;

// pending → sending, owned by $2 for $3 ms, attempts + 1. A row in 'sending' whose lease has lapsed (its
// worker died) is taken over: its outcome is unknown since attempted_at, which is kept, and counted.
const CLAIM_SQL = `
WITH lk AS (
  SELECT id, status AS was FROM deliveries
   WHERE id = ANY($1::uuid[]) AND (status = 'pending' OR (status = 'sending' AND ${LAPSED})) ORDER BY id FOR UPDATE),
d AS (
  UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = NULL, updated_at = now(),
         owner = $2, lease_until = now() + $3 * interval '1 millisecond',
         attempted_at = CASE WHEN lk.was = 'sending' THEN COALESCE(d.attempted_at, d.updated_at) ELSE now() END,
         takeovers = d.takeovers + (lk.was = 'sending')::int
    FROM lk WHERE d.id = lk.id RETURNING d.*, lk.was)
SELECT ${CLAIMED} FROM d JOIN users u ON u.id = d.user_id LEFT JOIN tasks t ON t.id = d.task_id`;

/**
 * Claims many deliveries at once for `owner`, leased for `leaseMs`. One result per input, in order: the
 * claimed row, or null when the delivery is not there, not pending, or another worker's live claim. An id
 * repeated within a batch is claimed (and so sent) once.
 */
export async function claimDeliveries(
  pool: pg.Pool,
  ids: string[],
  owner: string,
  leaseMs: number,
): Promise<(ClaimedDelivery | null)[]> {
  const unique = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
  if (unique.length === 0) return ids.map(() => null);
  const { rows } = await pool.query<ClaimedDelivery>(CLAIM_SQL, [unique, owner, leaseMs]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const key = id.toLowerCase();
    const row = byId.get(key);
    if (!row) return null;
    byId.delete(key); // a duplicate in the same batch finds it already claimed
    return row;
  });
}

/** Renews `owner`'s leases on the deliveries it is sending. */
export async function renewLeases(pool: pg.Pool, owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(
    `UPDATE deliveries SET lease_until = now() + $3 * interval '1 millisecond'
      WHERE id = ANY($1::uuid[]) AND owner = $2 AND status = 'sending'`,
    [ids, owner, leaseMs],
  );
}

export interface SentDelivery {
  id: string;
  status: string;
  providerId: string | null;
  /** Sent after a takeover without the provider saying whether it already had it: possibly a duplicate. */
  blind?: boolean;
}

// Status callbacks can arrive before this update; never move a delivery backwards. Recorded whoever holds
// the lease now: the provider has the message either way.
const FINISH_SQL = `
WITH inp AS (
  SELECT DISTINCT ON (id) id, status, provider_id, blind FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[]) AS i(id, status, provider_id, blind) ORDER BY id),
lk AS (SELECT d.id FROM deliveries d WHERE d.id IN (SELECT id FROM inp) ORDER BY d.id FOR UPDATE OF d)
UPDATE deliveries d SET status = CASE WHEN d.status = 'sending' THEN inp.status::"DeliveryStatus" ELSE d.status END,
       provider_id = COALESCE(d.provider_id, inp.provider_id), error = NULL, updated_at = now(), lease_until = NULL,
       blind_resends = d.blind_resends + inp.blind::int
  FROM lk, inp WHERE d.id = lk.id AND inp.id = lk.id`;

/** Records many accepted sends at once. */
export async function finishDeliveries(pool: pg.Pool, items: SentDelivery[]): Promise<undefined[]> {
  if (items.length === 0) return [];
  await pool.query(FINISH_SQL, [
    items.map((i) => i.id),
    items.map((i) => i.status),
    items.map((i) => i.providerId),
    items.map((i) => Boolean(i.blind)),
  ]);
  return items.map(() => undefined);
}

/**
 * A failed attempt: back to pending until `retryAt` (the retry policy's wait), or failed for good.
 * Only a row still in 'sending' and `owner`'s moves: a status callback, or a worker that took the row over
 * from one presumed dead, may have recorded more meanwhile.
 */
export async function failDelivery(
  pool: pg.Pool,
  id: string,
  owner: string,
  outcome: { final: boolean; error: string; retryAt?: Date },
): Promise<void> {
  await pool.query(
    `UPDATE deliveries SET status = $2, error = $3, next_attempt_at = $4, updated_at = now(), lease_until = NULL
      WHERE id = $1 AND status = 'sending' AND owner = $5`,
    [
      id,
      outcome.final ? "failed" : "pending",
      outcome.error.slice(0, 2000),
      outcome.final ? null : outcome.retryAt,
      owner,
    ],
  );
}

/**
 * A taken-over delivery whose outcome could not be learnt (the provider's lookup failed): it stays in
 * 'sending', outcome unknown, with no owner and a lease that lapses at `retryAt`, when a worker takes it
 * over again and asks again.
 */
export async function leaveUnknown(pool: pg.Pool, id: string, owner: string, retryAt: Date, error: string) {
  await pool.query(
    `UPDATE deliveries SET owner = NULL, lease_until = $3, error = $4, updated_at = now()
      WHERE id = $1 AND status = 'sending' AND owner = $2`,
    [id, owner, retryAt, error.slice(0, 2000)],
  );
}

/**
 * Deliveries nobody is working on: in 'sending' past their lease (their worker died mid-send; `sending`
 * false leaves those alone), or pending and due for `leaseMs` without being claimed (never handed to a
 * worker, their queue entry lost with Redis, or waiting behind a long backlog).
 */
export async function strandedDeliveries(
  pool: pg.Pool,
  leaseMs: number,
  opts: { sending: boolean; limit?: number },
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM deliveries
      WHERE (status = 'pending' AND COALESCE(next_attempt_at, updated_at) < now() - $1 * interval '1 millisecond')
         OR ($2 AND status = 'sending' AND COALESCE(lease_until, updated_at + $1 * interval '1 millisecond') < now())
      ORDER BY created_at LIMIT $3`,
    [leaseMs, opts.sending, opts.limit ?? 2000],
  );
  return rows.map((r) => r.id);
}

/** Every pending delivery and when it is due (null: now): to queue them again after Redis lost its data. */
export async function pendingDeliveries(
  pool: pg.Pool,
  limit = 10_000,
): Promise<{ id: string; next_attempt_at: Date | null }[]> {
  const { rows } = await pool.query<{ id: string; next_attempt_at: Date | null }>(
    `SELECT id, next_attempt_at FROM deliveries WHERE status = 'pending' ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows;
}

/** The statuses a delivery may move to `next` from, by a provider's ranking: for one conditional UPDATE. */
export type StatusRank = (next: string) => string[];

/**
 * A provider's report on a message it accepted (Twilio's status callback), by the provider's id, or by the
 * delivery's own id carried in the callback URL (`deliveryId`) when the sid is not recorded yet (the worker
 * that sent it died before it could record it: the report settles it, and no takeover sends it again).
 * Moves the delivery forward only (never back), and keeps the provider's error. Returns the delivery's
 * user, or null when no delivery matches (yet).
 */
export async function recordProviderStatus(
  pool: pg.Pool,
  providerId: string,
  next: string,
  from: string[],
  error: string | null,
  deliveryId?: string,
): Promise<{ userId: string; id: string; channel: string } | null> {
  const byId = deliveryId && UUID.test(deliveryId) ? deliveryId : null;
  const { rows } = await pool.query<{ user_id: string; id: string; channel: string }>(
    `UPDATE deliveries SET status = CASE WHEN status::text = ANY($3::text[]) THEN $2::"DeliveryStatus" ELSE status END,
            provider_id = COALESCE(provider_id, $1), error = COALESCE($4, error), updated_at = now()
      WHERE provider_id = $1 OR (id = $5::uuid AND provider_id IS NULL) RETURNING user_id, id, channel`,
    [providerId, next, from, error, byId],
  );
  return rows[0] ? { userId: rows[0].user_id, id: rows[0].id, channel: rows[0].channel } : null;
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

/**
 * Housekeeping: deletes up to `batch` deliveries with an outcome (not pending, sending or held) created
 * before `before`; returns how many. (A pruned run takes its deliveries with it.)
 */
export function pruneDeliveries(pool: pg.Pool, before: Date, batch: number): Promise<number> {
  return pruneBatch(
    pool,
    `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE created_at < $1
       AND status IN ('queued', 'sent', 'delivered', 'undelivered', 'failed') ORDER BY created_at LIMIT $2)`,
    [before, batch],
  );
}

/** Which deliveries an operator re-sends: by id, or those failed (or undelivered) matching a filter. */
export interface ResendFilter {
  ids?: string[];
  channel?: string;
  taskId?: string;
  /** Failed at or after. */
  since?: Date;
}

/**
 * Puts failed and undelivered deliveries back to pending for a fresh round of attempts: the same text to the
 * same recipient, without running their task again. Returns the ids, for the delivery queue. At most 1000.
 */
export async function resendDeliveries(pool: pg.Pool, f: ResendFilter): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE deliveries SET status = 'pending', attempts = 0, error = NULL, next_attempt_at = NULL, owner = NULL,
            lease_until = NULL, provider_id = NULL, resent_at = now(), updated_at = now()
      WHERE id IN (SELECT id FROM deliveries WHERE status IN ('failed', 'undelivered')
        AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND ($2::text IS NULL OR channel = $2)
        AND ($3::uuid IS NULL OR task_id = $3) AND ($4::timestamptz IS NULL OR updated_at >= $4)
        ORDER BY updated_at DESC LIMIT 1000)
      RETURNING id`,
    [f.ids?.filter((id) => UUID.test(id)) ?? null, f.channel ?? null, f.taskId ?? null, f.since ?? null],
  );
  return rows.map((r) => r.id);
}

/** Channels paused by an operator (their deliveries wait as "held"). */
export async function pausedChannels(
  pool: pg.Pool,
): Promise<{ channel: string; pausedBy: string; reason: string | null; pausedAt: Date }[]> {
  const { rows } = await pool.query(
    `SELECT channel, paused_by AS "pausedBy", reason, paused_at AS "pausedAt" FROM channel_pauses ORDER BY channel`,
  );
  return rows;
}

export async function pauseChannel(pool: pg.Pool, channel: string, by: string, reason: string | null): Promise<void> {
  await pool.query(
    `INSERT INTO channel_pauses (channel, paused_by, reason) VALUES ($1, $2, $3) ON CONFLICT (channel) DO UPDATE SET paused_by = $2, reason = $3`,
    [channel, by, reason],
  );
}

/** Resumes a channel: its held deliveries go back to pending; returns their ids, for the delivery queue. */
export async function resumeChannel(pool: pg.Pool, channel: string): Promise<string[]> {
  await pool.query(`DELETE FROM channel_pauses WHERE channel = $1`, [channel]);
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE deliveries SET status = 'pending', updated_at = now() WHERE channel = $1 AND status = 'held' RETURNING id`,
    [channel],
  );
  return rows.map((r) => r.id);
}

/** A claimed delivery whose channel is paused: held, its attempt not counted, until the channel resumes. */
export async function holdDelivery(pool: pg.Pool, id: string, owner: string): Promise<void> {
  await pool.query(
    `UPDATE deliveries SET status = 'held', attempts = GREATEST(attempts - 1, 0), owner = NULL, lease_until = NULL, updated_at = now()
      WHERE id = $1 AND status = 'sending' AND owner = $2`,
    [id, owner],
  );
}

/**
 * A claimed delivery sent back to wait (its sender's pace turn, or a provider's 429 Retry-After): pending
 * until `at`, its attempt not counted, since the provider never refused the message itself.
 */
export async function deferDelivery(
  pool: pg.Pool,
  id: string,
  owner: string,
  at: Date,
  error: string | null,
): Promise<void> {
  await pool.query(
    `UPDATE deliveries SET status = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_at = $3,
            error = COALESCE($4, error), owner = NULL, lease_until = NULL, updated_at = now()
      WHERE id = $1 AND status = 'sending' AND owner = $2`,
    [id, owner, at, error?.slice(0, 2000) ?? null],
  );
}

/**
 * When a delivery stops being worth sending: its expiry, else its run's occurrence plus its task's cut-off
 * (or `defaultMs`). Null: no cut-off (a conversation reply, a notice).
 */
export async function deliveryDeadline(pool: pg.Pool, id: string, defaultMs: number | null): Promise<Date | null> {
  const { rows } = await pool.query<{ at: Date | null }>(
    `SELECT COALESCE(d.expires_at, r.occurrence + COALESCE(t.useful_for_ms, $2::int) * interval '1 millisecond') AS at
       FROM deliveries d LEFT JOIN task_runs r ON r.id = d.run_id LEFT JOIN tasks t ON t.id = d.task_id WHERE d.id = $1`,
    [id, defaultMs],
  );
  return rows[0]?.at ?? null;
}

/** Writes a notice to a task's owner (no run: an approval decided), pending for a delivery worker. */
export async function insertNotice(
  pool: pg.Pool,
  n: { taskId: string; userId: string; channel: string; recipient: string; body: string },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO deliveries (task_id, user_id, channel, recipient, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [n.taskId, n.userId, n.channel, n.recipient, n.body],
  );
  return rows[0]!.id;
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
 * with columns run_id, task_id, user_id, channel, recipient, body and blocks: pending rows, which the
 * process that completes the runs claims one by one as it gets to send them. With `claimed`, `source` also
 * has a boolean column `claim`, and those rows are written already claimed for the sending worker
 * (`owner` and `leaseMs` are SQL parameters), as claimDeliveries would leave them, for the places it
 * reserved (DeliveryWorker.reserve). Returns id, run_id, whether it was claimed, and attempted_at.
 */
export const outboxInsertCte = (source: string, claimed?: { owner: string; leaseMs: string }) => {
  const claim = claimed ? "claim" : "false";
  return `
  INSERT INTO deliveries (run_id, task_id, user_id, channel, recipient, body, blocks, status, owner, lease_until, attempts, attempted_at)
  SELECT run_id, task_id, user_id, channel, recipient, body, blocks,
         (CASE WHEN ${claim} THEN 'sending' ELSE 'pending' END)::"DeliveryStatus", CASE WHEN ${claim} THEN ${claimed?.owner ?? "NULL"} END,
         CASE WHEN ${claim} THEN now() + ${claimed?.leaseMs ?? "0"} * interval '1 millisecond' END, ${claim}::int, CASE WHEN ${claim} THEN now() END
    FROM ${source} WHERE body IS NOT NULL
  ON CONFLICT (run_id, channel) DO NOTHING RETURNING id, run_id, status = 'sending' AS claimed, attempted_at`;
};

/** A conversation's answer to an inbound message, as an outbox row of its own (no run). */
export interface ReplyItem extends OutboxItem {
  userId: string;
  /** The inbound message answered, "<channel>:<provider id>": one reply per message. */
  replyTo: string;
}

/**
 * Writes the reply to an inbound message: pending, for a delivery worker to send, or already sent when it
 * went back in the webhook's own response (`inline`, as TwiML). Returns the row's id and whether this call
 * wrote it: a reply to that message exists already (a retried webhook, a resumed one) when it did not.
 */
export async function insertReply(
  pool: pg.Pool,
  r: ReplyItem,
  inline: boolean,
): Promise<{ id: string; written: boolean; status: string }> {
  const ins = await pool.query<{ id: string; status: string }>(
    `INSERT INTO deliveries (user_id, channel, recipient, body, reply_to, status, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (reply_to) WHERE reply_to IS NOT NULL DO NOTHING RETURNING id, status::text`,
    [r.userId, r.channel, r.recipient, r.body, r.replyTo, inline ? "sent" : "pending", inline ? 1 : 0],
  );
  if (ins.rows[0]) return { ...ins.rows[0], written: true };
  const { rows } = await pool.query<{ id: string; status: string }>(
    `SELECT id, status::text FROM deliveries WHERE reply_to = $1`,
    [r.replyTo],
  );
  return { id: rows[0]!.id, status: rows[0]!.status, written: false };
}
