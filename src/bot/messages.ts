import type pg from "pg";
import { type Db, pruneBatch, type Tx } from "../db/index.js";

/** Housekeeping: deletes up to `batch` messages created before `before`; returns how many. */
export function pruneMessages(pool: pg.Pool, before: Date, batch: number): Promise<number> {
  return pruneBatch(
    pool,
    `DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < $1 ORDER BY created_at LIMIT $2)`,
    [before, batch],
  );
}

/**
 * The one writer of `messages`: what users said (stored once per provider id, so a webhook delivered
 * twice is handled once) and what Herald answered, and requests a channel acks before handling them
 * ("inbox" rows, see recordPending).
 */
export class Messages {
  constructor(
    private readonly prisma: Db,
    private readonly pool: pg.Pool,
  ) {}

  /** Whether an inbound message with the provider's id `externalId` is stored (its turn committed). */
  async seen(channel: string, externalId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM messages WHERE channel = $1 AND external_id = $2`, [
      channel,
      externalId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Stores an inbound message; null when the provider's id was seen before. In a transaction (`tx`) that
   * ends the transaction too (Postgres aborts it): the caller rolls it back.
   */
  async recordInbound(
    m: {
      userId: string;
      channel: string;
      externalId?: string | null;
      body: string;
      address?: Record<string, unknown>;
      receivedAt?: Date;
    },
    tx: Tx = this.prisma,
  ): Promise<{ id: string } | null> {
    try {
      return await tx.message.create({
        data: {
          userId: m.userId,
          direction: "in",
          channel: m.channel,
          externalId: m.externalId ?? null,
          body: m.body,
          address: (m.address ?? {}) as object,
          ...(m.receivedAt ? { createdAt: m.receivedAt } : {}),
        },
        select: { id: true },
      });
    } catch (err) {
      if ((err as { code?: string }).code === "P2002") return null;
      throw err;
    }
  }

  /** Marks an inbound message handled and stores the reply to it (none: nothing was said back). */
  async recordReply(
    inboundId: string,
    reply: { userId: string; channel: string; body: string; address?: Record<string, unknown> } | null,
    tx: Tx,
  ): Promise<void> {
    await tx.message.update({ where: { id: inboundId }, data: { status: "handled" } });
    if (reply)
      await tx.message.create({
        data: {
          userId: reply.userId,
          direction: "out",
          channel: reply.channel,
          body: reply.body,
          address: (reply.address ?? {}) as object,
          replyTo: inboundId,
        },
      });
  }

  /**
   * The reply stored for the inbound message a provider knows by `externalId` (see recordReply), for a
   * channel that sends it after the fact: null when there is no such message or it was not answered.
   */
  async replyFor(channel: string, externalId: string): Promise<{ userId: string; body: string } | null> {
    const { rows } = await this.pool.query<{ user_id: string; body: string }>(
      `SELECT r.user_id, r.body FROM messages m JOIN messages r ON r.reply_to = m.id AND r.direction = 'out'
        WHERE m.channel = $1 AND m.external_id = $2 ORDER BY r.created_at LIMIT 1`,
      [channel, externalId],
    );
    return rows[0] ? { userId: rows[0].user_id, body: rows[0].body } : null;
  }

  /**
   * A request a channel acks before it is handled (Slack must be acked within 3 seconds, and users.info,
   * interpreting and replying may take longer; an SMS webhook is acked as soon as it is stored) is written first as a "received" row keyed "inbox:<key>",
   * with what is needed to handle it (`payload`). The conversation stores the real message under <key>,
   * and the inbox row is deleted once handled; a crash in between leaves the inbox row, which
   * claimStalePending picks up. Deleting (rather than keeping) it means one messages row per message once
   * things settle. Null when seen before (a provider's retry, or a duplicate id).
   */
  async recordPending(
    channel: string,
    key: string,
    body: string,
    payload: object,
    receivedAt: Date,
  ): Promise<string | null> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO messages (direction, channel, external_id, body, address, status, created_at)
       SELECT 'in', $1, $2, $3, $4, 'received', $5
        WHERE NOT EXISTS (SELECT 1 FROM messages WHERE channel = $1 AND external_id = $6)
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
      [
        channel,
        `inbox:${key}`,
        body,
        JSON.stringify({ payload, receivedAt: receivedAt.toISOString() }),
        receivedAt,
        key,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** Removes the inbox row once the conversation has stored and answered the request. */
  async finishPending(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM messages WHERE id = $1`, [id]);
  }

  /**
   * Claims one inbox row handed to a worker (see InboxHandoff), as claimStalePending does; null when it is
   * handled already, or claimed by another process (a job run twice, a resume that got there first).
   */
  async claimPending<P>(id: string): Promise<{ id: string; payload: P; receivedAt: Date } | null> {
    const { rows } = await this.pool.query<{ id: string; address: { payload: P; receivedAt: string } }>(
      `UPDATE messages SET status = 'resuming', created_at = now()
        WHERE id = $1 AND status = 'received' AND external_id LIKE 'inbox:%' RETURNING id, address`,
      [id],
    );
    const r = rows[0];
    return r ? { id: r.id, payload: r.address.payload, receivedAt: new Date(r.address.receivedAt) } : null;
  }

  /**
   * Claims a channel's inbox rows not handled since `olderThan` (their process died first), marking them
   * "resuming" and restarting their clock, so two instances don't both take one and a resume that dies is
   * tried again later.
   */
  async claimStalePending<P>(
    channel: string,
    olderThan: Date,
    limit = 50,
  ): Promise<{ id: string; payload: P; receivedAt: Date }[]> {
    const { rows } = await this.pool.query<{ id: string; address: { payload?: P; slack?: P; receivedAt: string } }>(
      `UPDATE messages SET status = 'resuming', created_at = now()
        WHERE id IN (SELECT id FROM messages WHERE channel = $1 AND status IN ('received', 'resuming') AND external_id LIKE 'inbox:%' AND created_at < $2
                      ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, address`,
      [channel, olderThan, limit],
    );
    // `slack`: rows written before inbox payloads had a channel-neutral name.
    return rows.map((r) => ({
      id: r.id,
      payload: (r.address.payload ?? r.address.slack) as P,
      receivedAt: new Date(r.address.receivedAt),
    }));
  }
}
