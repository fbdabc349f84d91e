import { Queue, UnrecoverableError, Worker } from "bullmq";
import type pg from "pg";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { MicroBatcher, Slots, type BatcherOptions, type ClaimedDelivery } from "../tasks/index.js";
import { claimDeliveries, finishDeliveries, type SentDelivery } from "./outbox-batch.js";
import { DeliveryError, type Sender } from "./types.js";

export const DELIVER_QUEUE = "deliver";

interface DeliverJob {
  deliveryId: string;
}

/** The outbox's queue side: deliveries waiting for a retry, or handed over when no sending slot was free. */
export class DeliveryQueue {
  readonly queue: Queue<DeliverJob>;

  constructor(
    redis: Redis,
    prefix: string,
    readonly attempts = 5,
  ) {
    this.queue = new Queue<DeliverJob>(DELIVER_QUEUE, { connection: redis, prefix });
  }

  /** Queues deliveries; `delayMs` holds them back (a retry's backoff). */
  async enqueue(deliveryIds: string[], delayMs = 0): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: "deliver",
        data: { deliveryId },
        opts: {
          jobId: `d-${deliveryId}`,
          delay: delayMs,
          attempts: this.attempts,
          backoff: { type: "exponential", delay: RETRY_DELAY_MS },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /**
   * Re-enqueues deliveries a crash or a Redis loss left behind: pending since before `olderThan` (never
   * queued, or their job lost), or sending with no update for SENDING_LEASE_MS (their sender died mid-send).
   */
  async reconcile(pool: pg.Pool, olderThan: Date): Promise<number> {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM deliveries
        WHERE (status = 'pending' AND created_at < $1) OR (status = 'sending' AND updated_at < now() - $2 * interval '1 millisecond')
        ORDER BY created_at LIMIT 5000`,
      [olderThan, SENDING_LEASE_MS],
    );
    await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

const idOf = (d: string | ClaimedDelivery) => (typeof d === "string" ? d : d.id);

/**
 * Direct deliveries under way per send slot: while some wait on a provider, others are being claimed or
 * recorded in batches. Measured on the 10k burst with a 0 ms sender: delivered 1.0 s after the last run
 * fired with one (the claim and record statements set the pace), 0.15 s with four.
 */
const PIPELINE = 4;
/** The first retry's delay; each further one doubles it. */
const RETRY_DELAY_MS = 2000;
/** A delivery in `sending` this long without an update is presumed orphaned by a crash (senders time out well before). */
const SENDING_LEASE_MS = 5 * 60_000;

export interface DeliveryWorkerOptions {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  /** Where retries and overflow go. */
  queue: DeliveryQueue;
  senders: Sender[];
  logger: Logger;
  /** Messages being handed to providers at once (claims and status updates around them are batched apart). @defaultValue 200 */
  concurrency?: number;
  onDeliveryFailed?: (delivery: { id: string; channel: string; error: string }) => void;
  /** Group commit of claims and success updates (see MicroBatcher). */
  batch?: BatcherOptions;
}

/**
 * Sends outbox rows. A row is sent at most once per run and channel: it is claimed by moving it from
 * pending to sending, and a clean failure puts it back to pending for the retry. (A crash between the
 * provider accepting and our update is the one case that can repeat a message.)
 *
 * New rows are sent straight from the process that wrote them (`dispatch`), without a round trip through
 * Redis; the queue carries retries, overflow, and whatever the reconciler finds left behind.
 */
export class DeliveryWorker {
  readonly worker: Worker<DeliverJob>;
  private readonly senders: Map<string, Sender>;
  private readonly claims: MicroBatcher<string, ClaimedDelivery | null>;
  private readonly finishes: MicroBatcher<SentDelivery, undefined>;
  /** Provider calls in flight (shared by both paths). */
  private readonly sends: Slots;
  /** Direct deliveries under way (claim, send, record), at most PIPELINE × concurrency; rows waiting for room. */
  private readonly direct = new Set<Promise<unknown>>();
  private readonly maxDirect: number;
  private readonly waiting: (string | ClaimedDelivery)[] = [];
  private closing = false;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.senders = new Map(o.senders.map((s) => [s.channel, s]));
    this.claims = new MicroBatcher((ids) => claimDeliveries(o.pool, ids), o.batch);
    this.finishes = new MicroBatcher((items) => finishDeliveries(o.pool, items), o.batch);
    const concurrency = o.concurrency ?? 200;
    this.sends = new Slots(concurrency);
    this.maxDirect = concurrency * PIPELINE;
    this.worker = new Worker<DeliverJob>(DELIVER_QUEUE, (job) => this.deliver(job.data.deliveryId, true), {
      connection: o.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: o.prefix,
      concurrency,
    });
    this.worker.on("error", (err) => o.logger.warn({ err: err.message }, "delivery worker error"));
  }

  /**
   * Sends newly written outbox rows from this process, in arrival order as room frees up. Past a backlog
   * of ten times what may be under way, rows go to the queue instead, which other processes share.
   * Returns once each is on its way, not when it is sent. The rows are in Postgres already, so a crash
   * loses nothing: the reconciler finds them. (A row written claimed that goes to the queue is claimed
   * again there, which counts one more attempt.)
   */
  async dispatch(deliveries: (string | ClaimedDelivery)[]): Promise<void> {
    const room = Math.max(0, this.maxDirect * 10 - this.waiting.length);
    this.waiting.push(...deliveries.slice(0, room));
    this.pump();
    await this.o.queue.enqueue(deliveries.slice(room).map(idOf));
  }

  private pump(): void {
    while (this.direct.size < this.maxDirect && this.waiting.length && !this.closing) {
      const item = this.waiting.shift()!;
      const p: Promise<unknown> = this.deliver(item, false)
        .catch((err) =>
          this.o.logger.warn(
            { deliveryId: idOf(item), err: (err as Error).message },
            "direct delivery could not be handed to the queue; the reconciler will",
          ),
        )
        .finally(() => {
          this.direct.delete(p);
          this.pump();
        });
      this.direct.add(p);
    }
  }

  /**
   * One attempt at a delivery. A failure that may pass is put back to pending and retried later (from a
   * job: by BullMQ's backoff, so it is thrown; direct: by a delayed job). The row's attempt count decides
   * when to give up, whichever path made the attempts.
   */
  private async deliver(item: string | ClaimedDelivery, queued: boolean): Promise<string> {
    // pending → sending, batched with the other claims of the moment (outbox-batch.ts), unless written so.
    const d = typeof item === "string" ? await this.claims.add(item) : item;
    if (!d) return "not pending";
    const sender = this.senders.get(d.channel);
    try {
      if (d.opted_out && d.channel === "sms")
        throw new DeliveryError("recipient has opted out (STOP); nothing is sent until they text START", {
          permanent: true,
        });
      if (!sender)
        throw new DeliveryError(`no ${d.channel} channel is configured on this server`, { permanent: false });
      await this.sends.acquire();
      const result = await sender
        .send({ deliveryId: d.id, channel: d.channel, recipient: d.recipient, body: d.body })
        .finally(() => this.sends.release());
      // Status callbacks can arrive before this update; never move a delivery backwards (batched, see outbox-batch.ts).
      await this.finishes.add({ id: d.id, status: result.status, providerId: result.providerId ?? null });
      return result.status;
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message);
      const final = e.opts.permanent || d.attempts >= this.o.queue.attempts;
      await this.o.pool.query(`UPDATE deliveries SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [
        d.id,
        final ? "failed" : "pending",
        e.message.slice(0, 2000),
      ]);
      if (e.opts.optOut)
        await this.o.pool.query(`UPDATE users SET opted_out = true, opted_out_at = now() WHERE id = $1`, [d.user_id]);
      if (final) {
        this.o.logger.error({ deliveryId: d.id, channel: d.channel, err: e.message }, "delivery failed for good");
        this.o.onDeliveryFailed?.({ id: d.id, channel: d.channel, error: e.message });
        if (queued) throw new UnrecoverableError(e.message);
        return "failed";
      }
      this.o.logger.warn(
        { deliveryId: d.id, channel: d.channel, attempt: d.attempts, err: e.message },
        "delivery failed, will retry",
      );
      if (queued) throw e;
      await this.o.queue.enqueue([d.id], RETRY_DELAY_MS);
      return "retrying";
    }
  }

  /** Stops taking work: sends in flight finish, rows not yet started go to the queue for another process. */
  async close(): Promise<void> {
    this.closing = true;
    const left = this.waiting.splice(0).map(idOf);
    await Promise.all([this.worker.close(), Promise.allSettled([...this.direct]), this.o.queue.enqueue(left)]);
  }
}
