import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import type pg from "pg";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { MicroBatcher, type BatcherOptions } from "../tasks/index.js";
import { claimDeliveries, finishDeliveries, type ClaimedDelivery, type SentDelivery } from "./outbox-batch.js";
import { DeliveryError, type Sender } from "./types.js";

export const DELIVER_QUEUE = "deliver";

interface DeliverJob {
  deliveryId: string;
}

/** The outbox's queue side: a run writes delivery rows in its transaction, then enqueues their ids here. */
export class DeliveryQueue {
  readonly queue: Queue<DeliverJob>;

  constructor(redis: Redis, prefix: string, private readonly attempts = 5) {
    this.queue = new Queue<DeliverJob>(DELIVER_QUEUE, { connection: redis, prefix });
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: "deliver",
        data: { deliveryId },
        opts: { jobId: `d-${deliveryId}`, attempts: this.attempts, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
      })),
    );
  }

  /** Re-enqueues deliveries left pending (their job lost with Redis, or never enqueued after a crash). */
  async reconcile(pool: pg.Pool, olderThan: Date): Promise<number> {
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 5000`, [olderThan]);
    await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface DeliveryWorkerOptions {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  senders: Sender[];
  logger: Logger;
  /**
   * Deliveries in flight at once; with batched claims, more slots mean fuller batches.
   * Measured on the 10k burst: 50 → 4.1 s, 200 → 3.0 s, 500 → 3.0–3.3 s. @defaultValue 200
   */
  concurrency?: number;
  onDeliveryFailed?: (delivery: { id: string; channel: string; error: string }) => void;
  /** Group commit of claims and success updates (see MicroBatcher). */
  batch?: BatcherOptions;
}

/**
 * Sends outbox rows. A row is sent at most once per run and channel: it is claimed by moving it from
 * pending to sending, and a clean failure puts it back to pending for the retry. (A crash between the
 * provider accepting and our update is the one case that can repeat a message.)
 */
export class DeliveryWorker {
  readonly worker: Worker<DeliverJob>;
  private readonly senders: Map<string, Sender>;
  private readonly claims: MicroBatcher<string, ClaimedDelivery | null>;
  private readonly finishes: MicroBatcher<SentDelivery, void>;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.senders = new Map(o.senders.map((s) => [s.channel, s]));
    this.claims = new MicroBatcher((ids) => claimDeliveries(o.pool, ids), o.batch);
    this.finishes = new MicroBatcher((items) => finishDeliveries(o.pool, items), o.batch);
    this.worker = new Worker<DeliverJob>(DELIVER_QUEUE, (job) => this.process(job), { connection: o.redis.duplicate({ maxRetriesPerRequest: null }), prefix: o.prefix, concurrency: o.concurrency ?? 200 });
    this.worker.on("error", (err) => o.logger.warn({ err: err.message }, "delivery worker error"));
  }

  private async process(job: Job<DeliverJob>): Promise<string> {
    const { deliveryId } = job.data;
    // pending → sending, batched with the other claims of the moment (outbox-batch.ts).
    const d = await this.claims.add(deliveryId);
    if (!d) return "not pending";
    const sender = this.senders.get(d.channel);
    try {
      if (d.opted_out && d.channel === "sms") throw new DeliveryError("recipient has opted out (STOP); nothing is sent until they text START", { permanent: true });
      if (!sender) throw new DeliveryError(`no ${d.channel} channel is configured on this server`, { permanent: false });
      const result = await sender.send({ deliveryId: d.id, channel: d.channel, recipient: d.recipient, body: d.body });
      // Status callbacks can arrive before this update; never move a delivery backwards (batched, see outbox-batch.ts).
      await this.finishes.add({ id: d.id, status: result.status, providerId: result.providerId ?? null });
      return result.status;
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message);
      const final = e.opts.permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.o.pool.query(`UPDATE deliveries SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [d.id, final ? "failed" : "pending", e.message.slice(0, 2000)]);
      if (e.opts.optOut) await this.o.pool.query(`UPDATE users SET opted_out = true, opted_out_at = now() WHERE id = $1`, [d.user_id]);
      if (final) {
        this.o.logger.error({ deliveryId: d.id, channel: d.channel, err: e.message }, "delivery failed for good");
        this.o.onDeliveryFailed?.({ id: d.id, channel: d.channel, error: e.message });
        throw new UnrecoverableError(e.message);
      }
      this.o.logger.warn({ deliveryId: d.id, channel: d.channel, attempt: job.attemptsMade + 1, err: e.message }, "delivery failed, will retry");
      throw e;
    }
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}

