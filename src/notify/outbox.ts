import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type pg from "pg";
import { MicroBatcher, Slots, type BatcherOptions } from "../batch/index.js";
import { failureOf, ProviderError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { DEFAULT_RETRY, nextRetry, type RetryPolicy } from "../retry/index.js";
import { claimDeliveries, failDelivery, finishDeliveries, strandedDeliveries, type SentDelivery } from "./store.js";
import type { ClaimedDelivery, Sender } from "./types.js";

export const DELIVER_QUEUE = "deliver";

interface DeliverJob {
  deliveryId: string;
}

/** Retries of Herald's own failures around a send (Postgres briefly away during a claim): BullMQ's backoff. */
const INFRA_RETRY = { attempts: 10, backoff: { type: "exponential", delay: 1000 } } as const;

/** The outbox's queue side: deliveries waiting for a retry, or handed over when no sending slot was free. */
export class DeliveryQueue {
  readonly queue: Queue<DeliverJob>;

  constructor(redis: Redis, prefix: string) {
    this.queue = new Queue<DeliverJob>(DELIVER_QUEUE, { connection: redis, prefix });
  }

  /** Queues deliveries; `delayMs` holds them back (a retry's wait). */
  async enqueue(deliveryIds: string[], delayMs = 0): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: "deliver",
        data: { deliveryId },
        opts: {
          jobId: `d-${deliveryId}`,
          delay: delayMs,
          ...INFRA_RETRY,
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /**
   * Re-enqueues deliveries a crash or a Redis loss left behind: pending since before `olderThan` and due
   * (never queued, or their job lost), or sending with no update for SENDING_LEASE_MS (their sender died).
   */
  async reconcile(pool: pg.Pool, olderThan: Date): Promise<number> {
    const ids = await strandedDeliveries(pool, olderThan, SENDING_LEASE_MS);
    await this.enqueue(ids);
    return ids.length;
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
/** A delivery in `sending` this long without an update is presumed orphaned by a crash (senders time out well before). */
const SENDING_LEASE_MS = 5 * 60_000;
/** A provider accepted a message but Postgres would not record it: try the write again this often. */
const RECORD_RETRY_MS = 500;

export interface DeliveryWorkerOptions {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  /** Where retries and overflow go. */
  queue: DeliveryQueue;
  senders: Sender[];
  logger: Logger;
  /** When to try a failed send again, and when to give up. @defaultValue DEFAULT_RETRY */
  retry?: RetryPolicy;
  /** Messages being handed to providers at once (claims and status updates around them are batched apart). @defaultValue 200 */
  concurrency?: number;
  onDeliveryFailed?: (delivery: { id: string; channel: string; error: string }) => void;
  /** The recipient opted out at the provider (Twilio 21610): the owner of `users` records it. */
  onOptedOut?: (userId: string) => void | Promise<void>;
  /** Group commit of claims and success updates (see MicroBatcher). */
  batch?: BatcherOptions;
}

/**
 * Sends outbox rows. A row is sent at most once per run and channel: it is claimed by moving it from
 * pending to sending, and a clean failure puts it back to pending for the retry. Once a provider has
 * accepted a message, nothing afterwards sends it again: a failure to record it is retried as a write.
 * (A crash between the provider accepting and our update is the one case that can repeat a message.)
 *
 * New rows are sent straight from the process that wrote them (`dispatch`), without a round trip through
 * Redis; the queue carries retries, overflow, and whatever the reconciler finds left behind.
 */
export class DeliveryWorker {
  readonly worker: Worker<DeliverJob>;
  private readonly senders: Map<string, Sender>;
  private readonly retry: RetryPolicy;
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
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.claims = new MicroBatcher((ids) => claimDeliveries(o.pool, ids), o.batch);
    this.finishes = new MicroBatcher((items) => finishDeliveries(o.pool, items), o.batch);
    const concurrency = o.concurrency ?? 200;
    this.sends = new Slots(concurrency);
    this.maxDirect = concurrency * PIPELINE;
    this.worker = new Worker<DeliverJob>(DELIVER_QUEUE, (job, token) => this.fromQueue(job, token), {
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
      const p: Promise<unknown> = this.deliver(item)
        .then(async (out) => {
          if (out.retryInMs !== undefined) await this.o.queue.enqueue([idOf(item)], out.retryInMs);
        })
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

  /** A queued delivery: a retry waits in place (moved to delayed); one given up fails its job. */
  private async fromQueue(job: Job<DeliverJob>, token?: string): Promise<string> {
    const out = await this.deliver(job.data.deliveryId);
    if (out.retryInMs !== undefined) {
      await job.moveToDelayed(Date.now() + out.retryInMs, token);
      throw new DelayedError();
    }
    if (out.status === "failed") throw new UnrecoverableError(out.error ?? "delivery failed");
    return out.status;
  }

  /**
   * One attempt at a delivery. The row's attempt count and the retry policy decide whether a failure is
   * tried again (`retryInMs`) or given up, whichever path made the attempts.
   */
  private async deliver(
    item: string | ClaimedDelivery,
  ): Promise<{ status: string; retryInMs?: number; error?: string }> {
    // pending → sending, batched with the other claims of the moment (store.ts), unless written so.
    const d = typeof item === "string" ? await this.claims.add(item) : item;
    if (!d) return { status: "not pending" };
    let sent: SentDelivery;
    try {
      const sender = this.senders.get(d.channel);
      if (!sender)
        throw new ProviderError("retryable", `no ${d.channel} channel is configured on this server`, {
          provider: d.channel,
        });
      await this.sends.acquire();
      const result = await sender
        .send({
          deliveryId: d.id,
          channel: d.channel,
          recipient: d.recipient,
          body: d.body,
          blocks: d.blocks,
          task: d.task_id ? { id: d.task_id, recurring: d.recurring } : null,
          optedOut: d.opted_out,
        })
        .finally(() => this.sends.release());
      sent = { id: d.id, status: result.status, providerId: result.providerId ?? null };
    } catch (err) {
      return this.failed(d, err);
    }
    // The provider has the message: from here on only the bookkeeping may be retried, never the send.
    await this.record(sent);
    return { status: sent.status };
  }

  /** Records an accepted send, retrying the write (batched) until Postgres takes it. */
  private async record(sent: SentDelivery): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.finishes.add(sent);
        return;
      } catch (err) {
        if (tries === 1 || tries % 20 === 0)
          this.o.logger.warn(
            { deliveryId: sent.id, tries, err: (err as Error).message },
            "a sent message could not be recorded yet; retrying the write, not the send",
          );
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  private async failed(
    d: ClaimedDelivery,
    err: unknown,
  ): Promise<{ status: string; retryInMs?: number; error: string }> {
    const failure = failureOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const retryAfterMs = err instanceof ProviderError ? err.provider.retryAfterMs : undefined;
    const decision = nextRetry(this.retry, d.attempts, failure, { retryAfterMs });
    const retryAt = decision.retry ? new Date(Date.now() + decision.delayMs) : undefined;
    await failDelivery(this.o.pool, d.id, { final: !decision.retry, error: message, retryAt });
    if (failure === "opted_out") await this.o.onOptedOut?.(d.user_id);
    if (!decision.retry) {
      this.o.logger.error({ deliveryId: d.id, channel: d.channel, err: message }, "delivery failed for good");
      this.o.onDeliveryFailed?.({ id: d.id, channel: d.channel, error: message });
      return { status: "failed", error: message };
    }
    this.o.logger.warn(
      { deliveryId: d.id, channel: d.channel, attempt: d.attempts, retryInMs: decision.delayMs, err: message },
      "delivery failed, will retry",
    );
    return { status: "retrying", retryInMs: decision.delayMs, error: message };
  }

  /** Stops taking work: sends in flight finish, rows not yet started go to the queue for another process. */
  async close(): Promise<void> {
    this.closing = true;
    const left = this.waiting.splice(0).map(idOf);
    await Promise.all([this.worker.close(), Promise.allSettled([...this.direct]), this.o.queue.enqueue(left)]);
  }
}
