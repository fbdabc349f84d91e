import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type pg from "pg";
import { MicroBatcher, Slots, type BatcherOptions } from "../batch/index.js";
import { failureOf, ProviderError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { DEFAULT_RETRY, nextRetry, type RetryPolicy } from "../retry/index.js";
import { Pacer, type Pace } from "./pace.js";
import { deferDelivery, deliveryDeadline, holdDelivery, pausedChannels } from "./store.js";
import {
  claimDeliveries,
  failDelivery,
  finishDeliveries,
  leaveUnknown,
  pendingDeliveries,
  renewLeases,
  strandedDeliveries,
  type SentDelivery,
} from "./store.js";
import type { ClaimedDelivery, OutboundMessage, OutboxItem, SendResult, Sender } from "./types.js";

export const DELIVER_QUEUE = "deliver";

interface DeliverJob {
  deliveryId: string;
}

/** Retries of Herald's own failures around a send (Postgres briefly away during a claim): BullMQ's backoff. */
const INFRA_RETRY = { attempts: 10, backoff: { type: "exponential", delay: 1000 } } as const;

/** The outbox's queue side: deliveries waiting for a retry, handed over when no sending slot was free, or written by a process that sends nothing (replies from `herald serve`). */
export class DeliveryQueue {
  readonly queue: Queue<DeliverJob>;

  constructor(redis: Redis, prefix: string) {
    this.queue = new Queue<DeliverJob>(DELIVER_QUEUE, { connection: redis, prefix });
    // Without a listener BullMQ prints every connection error; the commands that fail say what failed.
    this.queue.on("error", () => {});
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
   * Queues deliveries an operator put back to pending (a re-send, a resumed channel): a job left over from
   * their earlier attempts (kept failed, or still waiting) is removed first, since a job id is taken once.
   */
  async requeue(deliveryIds: string[]): Promise<void> {
    await Promise.all(deliveryIds.map((id) => this.queue.remove(`d-${id}`).catch(() => 0)));
    await this.enqueue(deliveryIds);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/**
 * Direct deliveries under way per send slot: while some wait on a provider, others are being claimed or
 * recorded in batches.
 */
const PIPELINE = 4;
/** A pace wait this short is waited out holding the send slot (see pace()). */
const HOLD_SLOT_MS = 2000;
/** A provider accepted a message but Postgres would not record it: try the write again this often. */
const RECORD_RETRY_MS = 500;
/** Clocks differ between Herald's hosts and the provider's: a lookup reaches this far before the attempt. */
const LOOKUP_SKEW_MS = 60_000;

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
  /**
   * How long a delivery being sent stays this worker's without a renewal (LEASE_MS). Leases are renewed
   * every third of it, and every sixth of it each worker looks for deliveries nobody is working on.
   * @defaultValue 30000
   */
  leaseMs?: number;
  onDeliveryFailed?: (delivery: { id: string; channel: string; error: string }) => void;
  /** A provider took a message (sent, queued or delivered): metrics, and a run failed by its messages recovering. */
  /**
   * `blind`: a taken-over row sent again without asking its provider, so it may have arrived twice;
   * `resent`: an operator's re-send of a failed row, whose run may have failed by it.
   */
  onDeliverySent?: (delivery: { id: string; channel: string; status: string; blind: boolean; resent: boolean }) => void;
  /** A delivery was held because its channel is paused. */
  onDeliveryHeld?: (delivery: { id: string; channel: string }) => void;
  /**
   * Too late to be useful: a failing delivery is given up rather than retried past its run's occurrence
   * plus its task's cut-off, or this (LATE_CUTOFF_MS). Undefined: only the retry budget decides.
   */
  lateCutoffMs?: number;
  /** The recipient opted out at the provider (Twilio 21610): the owner of `users` records it. */
  onOptedOut?: (userId: string) => void | Promise<void>;
  /** Group commit of claims and success updates (see MicroBatcher). */
  batch?: BatcherOptions;
}

type Outcome = { status: string; retryInMs?: number; error?: string };

/**
 * Places for outbox rows a run's completion writes already claimed by this worker ('sending', `owner`,
 * leased for `leaseMs`, attempt 1), so they go to the provider without a claim statement between.
 * `send` takes the rows that were written (at most `granted`) and gives back the places left unused.
 * A row's fate is unknown once written as 'sending' (a crash makes it a takeover): hence a bounded number
 * of places, as many as the direct pipeline may hold claimed.
 */
export interface Reservation {
  owner: string;
  leaseMs: number;
  granted: number;
  send(rows: ClaimedAhead[]): void;
}

/** A row written claimed for a Reservation, with what its sending needs to know of its run. */
export interface ClaimedAhead {
  id: string;
  /** As the row records it: the attempt began when the row was written. */
  attemptedAt: Date;
  message: OutboxItem;
  userId: string;
  taskId: string;
  optedOut: boolean;
  /** Whether the task repeats. */
  recurring: boolean;
}

/**
 * Sends outbox rows, each once. A row is claimed (pending → sending, owned by this worker under a lease,
 * renewed while it waits for a sending slot and while it sends; or written so by the run that made it, see
 * reserve), then sent, and its outcome is recorded right after. A crash while a row is claimed leaves its
 * fate unknown (the takeover below); at most the direct pipeline's worth of rows wait claimed at once.
 * A clean failure puts the row back to pending for the retry. Once a provider has accepted a message,
 * nothing afterwards sends it again: a failure to record it is retried as a write, never as a send.
 *
 * A worker that dies mid-send stops renewing its leases; another worker takes those rows over once they
 * lapse. Their outcome is unknown, so it asks the provider first where the provider can say (Twilio);
 * elsewhere it sends again, which is the one way a message can arrive twice, and counts it
 * (deliveries.blind_resends).
 *
 * New rows are sent straight from the process that wrote them (`dispatch`), without a round trip through
 * Redis; the queue carries retries, overflow and replies written by HTTP processes, and every worker's
 * sweep finds what no one is working on.
 */
export class DeliveryWorker {
  readonly worker: Worker<DeliverJob>;
  /** This process, as deliveries.owner names it while it sends a row. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly senders: Map<string, Sender>;
  private readonly retry: RetryPolicy;
  private readonly leaseMs: number;
  private readonly claims: MicroBatcher<string, ClaimedDelivery | null>;
  private readonly finishes: MicroBatcher<SentDelivery, undefined>;
  /** Provider calls in flight, each with its claim (shared by both paths). */
  private readonly sends: Slots;
  /**
   * Rows written already claimed for this worker and waiting for a send slot (see reserve): as many at
   * most as the direct pipeline holds claimed, so a crash leaves no more rows of unknown fate that way.
   */
  private readonly ahead: Slots;
  /** Direct deliveries under way (claim, send, record), at most PIPELINE × concurrency; rows waiting for room. */
  private readonly direct = new Set<Promise<unknown>>();
  private readonly maxDirect: number;
  private readonly waiting: string[] = [];
  private readonly waitingIds = new Set<string>();
  /** Rows this worker holds in 'sending' (claimed, outcome not yet recorded): their leases are renewed. */
  private readonly held = new Set<string>();
  /** When a statement last failed here: leases that lapsed while Postgres was away are not taken over at once. */
  private lastDbError = 0;
  private readonly loops: NodeJS.Timeout[];
  private closing = false;
  private readonly pacer: Pacer;
  /** Rows sent back to wait for a pace turn reserved for them (see pace()), and the turn's time. */
  private readonly turns = new Map<string, number>();

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.senders = new Map(o.senders.map((s) => [s.channel, s]));
    this.pacer = new Pacer(o.redis, o.prefix);
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.leaseMs = o.leaseMs ?? 30_000;
    this.claims = new MicroBatcher((ids) => claimDeliveries(o.pool, ids, this.owner, this.leaseMs), o.batch);
    this.finishes = new MicroBatcher((items) => finishDeliveries(o.pool, items), o.batch);
    const concurrency = o.concurrency ?? 200;
    this.sends = new Slots(concurrency);
    this.maxDirect = concurrency * PIPELINE;
    this.ahead = new Slots(this.maxDirect);
    // A copy of Herald's connection with its options (a Cluster's duplicate takes nodes, not options), and,
    // as every Herald connection, a listener so ioredis does not print each failed reconnect.
    const connection = o.redis.duplicate();
    connection.on("error", () => {});
    this.worker = new Worker<DeliverJob>(DELIVER_QUEUE, (job, token) => this.fromQueue(job, token), {
      connection,
      prefix: o.prefix,
      concurrency,
    });
    this.worker.on("error", (err) => o.logger.warn({ err: err.message }, "delivery worker error"));
    this.loops = [
      setInterval(() => void this.renew(), Math.max(200, this.leaseMs / 3)),
      setInterval(() => void this.sweep().catch(() => {}), Math.max(200, this.leaseMs / 6)),
    ];
    for (const l of this.loops) l.unref();
  }

  /**
   * Sends outbox rows from this process, in arrival order as room frees up. Past a backlog of ten times
   * what may be under way, rows go to the queue instead, which other processes share. Returns once each
   * is on its way, not when it is sent. The rows are in Postgres already, so a crash loses nothing: every
   * worker's sweep finds them.
   */
  async dispatch(deliveryIds: string[]): Promise<void> {
    const fresh = deliveryIds.filter((id) => !this.waitingIds.has(id));
    const room = Math.max(0, this.maxDirect * 10 - this.waiting.length);
    for (const id of fresh.slice(0, room)) {
      this.waiting.push(id);
      this.waitingIds.add(id);
    }
    this.pump();
    await this.o.queue.enqueue(fresh.slice(room));
  }

  /**
   * Places for rows about to be written already claimed by this worker (see Reservation): up to `n`, as
   * many as are free now among the PIPELINE × concurrency that may wait claimed for a send slot; none
   * while closing.
   */
  reserve(n: number): Reservation {
    const granted = this.closing ? 0 : this.ahead.tryAcquire(n);
    let left = granted;
    return {
      owner: this.owner,
      leaseMs: this.leaseMs,
      granted,
      send: (rows) => {
        for (const r of rows.slice(0, left)) {
          // As claimDeliveries returns a row it claimed: this worker's first attempt.
          const d: ClaimedDelivery = {
            id: r.id,
            channel: r.message.channel,
            recipient: r.message.recipient,
            body: r.message.body,
            blocks: r.message.blocks ?? null,
            opted_out: r.optedOut,
            user_id: r.userId,
            task_id: r.taskId,
            recurring: r.recurring,
            attempts: 1,
            attempted_at: r.attemptedAt,
            taken_over: false,
            resent: false,
          };
          // In line for a send slot with every other claimed row; its place among the claimed-ahead is freed then.
          this.track(
            d.id,
            this.whenSlot(d, () => this.ahead.release()),
          );
        }
        left -= Math.min(left, rows.length);
        for (; left > 0; left--) this.ahead.release();
      },
    };
  }

  private pump(): void {
    while (this.direct.size < this.maxDirect && this.waiting.length && !this.closing) {
      const id = this.waiting.shift()!;
      this.waitingIds.delete(id);
      this.track(id, this.deliver(id));
    }
  }

  /** A direct delivery under way: a retry goes to the queue, and when it ends the next waiting row starts. */
  private track(id: string, delivery: Promise<Outcome>): void {
    const p: Promise<unknown> = delivery
      .then(async (out) => {
        if (out.retryInMs !== undefined) await this.o.queue.enqueue([id], out.retryInMs);
      })
      .catch((err) =>
        this.o.logger.warn(
          { deliveryId: id, err: (err as Error).message },
          "direct delivery could not be handed to the queue; the sweep will find it",
        ),
      )
      .finally(() => {
        this.direct.delete(p);
        this.pump();
      });
    this.direct.add(p);
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
   * One attempt at a delivery: the claim (batched with the other claims of the moment), a sending slot,
   * the provider call, and the record of its outcome. The claim comes first so that slots turn over at
   * the providers' pace, not Postgres's (a slot held through a claim's round trip made the claims the
   * limit of a burst); the rows claimed and waiting are bounded by the direct pipeline and the queue's
   * concurrency, and their leases renewed meanwhile. The row's attempt count and the retry policy decide
   * whether a failure is tried again (`retryInMs`) or given up, whichever path made the attempts.
   */
  private async deliver(id: string): Promise<Outcome> {
    const d = await this.db(this.claims.add(id));
    if (!d) return { status: "not pending" };
    return this.whenSlot(d);
  }

  /** A claimed row: its lease renewed while it waits in line for a send slot, then its attempt. */
  private async whenSlot(d: ClaimedDelivery, onSlot?: () => void): Promise<Outcome> {
    this.held.add(d.id);
    await this.sends.acquire();
    onSlot?.();
    return this.attempt(d);
  }

  /** An attempt at a delivery this worker has claimed and holds (see whenSlot), with a send slot (given back here). */
  private async attempt(d: ClaimedDelivery): Promise<Outcome> {
    let slot = true;
    const release = () => {
      if (slot) this.sends.release();
      slot = false;
    };
    try {
      if (await this.paused(d.channel)) {
        // An operator paused the channel (a provider incident): the row waits, its attempt not counted.
        await this.db(holdDelivery(this.o.pool, d.id, this.owner));
        this.o.onDeliveryHeld?.({ id: d.id, channel: d.channel });
        return { status: "held" };
      }
      const sender = this.senders.get(d.channel);
      if (!sender)
        throw new ProviderError("retryable", `no ${d.channel} channel is configured on this server`, {
          provider: d.channel,
        });
      const message = messageOf(d);
      let blind = false;
      if (d.taken_over) {
        const known = await this.askProvider(d, sender, message);
        if ("error" in known) return await this.stillUnknown(d, sender, known.error);
        if (known.found) {
          release();
          await this.record({ id: d.id, status: known.found.status, providerId: known.found.providerId ?? null });
          return { status: known.found.status };
        }
        blind = !sender.lookup;
      }
      const paced = await this.pace(d, sender, message, release, async () => {
        await this.sends.acquire();
        slot = true;
      });
      if (paced) return paced;
      const result = await sender.send(message).finally(release);
      // The provider has the message: from here on only the bookkeeping may be retried, never the send.
      await this.record({ id: d.id, status: result.status, providerId: result.providerId ?? null, blind });
      this.o.onDeliverySent?.({ id: d.id, channel: d.channel, status: result.status, blind, resent: d.resent });
      return { status: result.status };
    } catch (err) {
      release();
      return await this.failed(d, err);
    } finally {
      release();
      this.held.delete(d.id);
    }
  }

  /**
   * Waits for the sender's turn under its provider's rate (per Twilio number, per Slack channel; see
   * pace.ts). A short wait (up to 2 s) holds the send slot: waiting for a slot after the turn would send
   * the messages of a key in clumps, as slots free up together. A longer one gives the slot back meanwhile,
   * and reserves again if the slot came too late for the turn. A turn further off than a third of the lease
   * is not waited for in place (it would hold the row and its place in line from other senders' messages):
   * the row goes back to pending until then, the attempt not counted, and returns to its reserved turn.
   * Returns that outcome, or null once it is the row's turn.
   */
  private async pace(
    d: ClaimedDelivery,
    sender: Sender,
    message: OutboundMessage,
    release: () => void,
    reacquire: () => Promise<void>,
  ): Promise<Outcome | null> {
    const pace = sender.pace?.(message);
    if (!pace) return null;
    const reserved = this.turns.get(d.id);
    this.turns.delete(d.id);
    let turnAt = reserved ?? (await this.nextTurn(pace));
    for (;;) {
      const wait = turnAt - Date.now();
      if (wait <= 0) return null;
      if (wait <= HOLD_SLOT_MS) {
        await new Promise((r) => setTimeout(r, wait));
        return null;
      }
      if (wait > this.leaseMs / 3) {
        release();
        this.turns.set(d.id, turnAt);
        if (this.turns.size > 100_000) this.turns.clear();
        await this.persist(d.id, () => deferDelivery(this.o.pool, d.id, this.owner, new Date(turnAt), null));
        return { status: "paced", retryInMs: wait };
      }
      release();
      await new Promise((r) => setTimeout(r, wait - HOLD_SLOT_MS / 2));
      await reacquire();
      if (Date.now() > turnAt) turnAt = await this.nextTurn(pace);
    }
  }

  /**
   * The local instant of the key's next turn. The wait Redis answers counts from when the script ran,
   * so it is added to the time its answer arrived, never to when it was asked (`Date.now() + await …`
   * reads the clock first): a reply that took longer than the one before it then put a send ahead of its
   * turn, closer to the last send than the pace allows.
   */
  private async nextTurn(pace: Pace): Promise<number> {
    const wait = await this.db(this.pacer.reserve(pace));
    return Date.now() + wait;
  }

  /**
   * A row taken over from a dead worker: did its provider call get through? The provider's answer (null:
   * it has no such message, or cannot be asked), or the error that kept it from answering.
   */
  private async askProvider(
    d: ClaimedDelivery,
    sender: Sender,
    message: OutboundMessage,
  ): Promise<{ found: SendResult | null } | { error: unknown }> {
    const log = { deliveryId: d.id, channel: d.channel, attempt: d.attempts, since: d.attempted_at };
    if (!sender.lookup) {
      this.o.logger.warn(
        log,
        "taking over a delivery whose worker died while sending it; the provider cannot be asked whether it got it, so it is sent again and may arrive twice",
      );
      return { found: null };
    }
    try {
      const found = await sender.lookup(message, new Date(new Date(d.attempted_at).getTime() - LOOKUP_SKEW_MS));
      this.o.logger.info(
        { ...log, found: found?.providerId ?? null },
        found
          ? "taking over a delivery whose worker died while sending it: the provider has it, recorded without sending again"
          : "taking over a delivery whose worker died while sending it: the provider never got it, sending it now",
      );
      return { found };
    } catch (error) {
      this.o.logger.warn(
        { ...log, err: (error as Error).message },
        "could not ask the provider about a taken-over delivery",
      );
      return { error };
    }
  }

  /** Asking the provider failed: the row stays in doubt (sending, no owner) until the retry's wait, or fails for good. */
  private async stillUnknown(d: ClaimedDelivery, sender: Sender, err: unknown): Promise<Outcome> {
    const message = `outcome unknown, the provider could not be asked: ${err instanceof Error ? err.message : String(err)}`;
    const decision = nextRetry(this.retry, d.attempts, "retryable");
    if (!decision.retry) return this.failed(d, new ProviderError("permanent", message, { provider: sender.channel }));
    const retryAt = new Date(Date.now() + decision.delayMs);
    await this.persist(d.id, () => leaveUnknown(this.o.pool, d.id, this.owner, retryAt, message));
    return { status: "unknown" };
  }

  /** Records an accepted send (batched with others). */
  private record(sent: SentDelivery): Promise<void> {
    return this.persist(sent.id, () => this.finishes.add(sent));
  }

  /**
   * Writes an attempt's outcome, retrying the write until Postgres takes it (the lease is renewed meanwhile):
   * the provider has answered, so only the bookkeeping may be retried, never the provider call.
   */
  private async persist(deliveryId: string, write: () => Promise<unknown>): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.db(write());
        return;
      } catch (err) {
        if (tries === 1 || tries % 20 === 0)
          this.o.logger.warn(
            { deliveryId, tries, err: (err as Error).message },
            "the outcome of a send could not be recorded yet; retrying the write, not the send",
          );
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  private async failed(d: ClaimedDelivery, err: unknown): Promise<Outcome> {
    const failure = failureOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const retryAfterMs = err instanceof ProviderError ? err.provider.retryAfterMs : undefined;
    let decision = nextRetry(this.retry, d.attempts, failure, { retryAfterMs });
    const tooLate = decision.retry && (await this.pastCutoff(d.id, decision.delayMs));
    if (tooLate) decision = { retry: false, reason: "exhausted" };
    const error = tooLate ? `${message} (given up: too late to be useful)` : message;
    const retryAt = decision.retry ? new Date(Date.now() + decision.delayMs) : undefined;
    if (failure === "rate_limited" && decision.retry) {
      // The provider pacing us: the sender's key waits out Retry-After, the row's attempt is not counted.
      const pace = this.senders.get(d.channel)?.pace?.(messageOf(d));
      if (pace) await this.pacer.backOff(pace.key, decision.delayMs).catch(() => {});
      await this.persist(d.id, () => deferDelivery(this.o.pool, d.id, this.owner, retryAt!, error));
      this.o.logger.info(
        { deliveryId: d.id, channel: d.channel, retryInMs: decision.delayMs },
        "rate limited by the provider; trying again after its Retry-After",
      );
      return { status: "rate limited", retryInMs: decision.delayMs, error };
    }
    // The opt-out first: whoever sees the delivery failed by it sees the owner opted out too.
    if (failure === "opted_out") await this.o.onOptedOut?.(d.user_id);
    await this.persist(d.id, () =>
      failDelivery(this.o.pool, d.id, this.owner, { final: !decision.retry, error, retryAt }),
    );
    if (!decision.retry) {
      this.o.logger.error({ deliveryId: d.id, channel: d.channel, err: error }, "delivery failed for good");
      this.o.onDeliveryFailed?.({ id: d.id, channel: d.channel, error });
      return { status: "failed", error };
    }
    this.o.logger.warn(
      { deliveryId: d.id, channel: d.channel, attempt: d.attempts, retryInMs: decision.delayMs, err: message },
      "delivery failed, will retry",
    );
    return { status: "retrying", retryInMs: decision.delayMs, error: message };
  }

  private pauses: { at: number; channels: Promise<Set<string>> } | null = null;

  /** Whether an operator paused `channel` (read at most every 2 s while none is; each time while one is). */
  private async paused(channel: string): Promise<boolean> {
    if (!this.pauses || Date.now() - this.pauses.at > 2000) {
      const channels = pausedChannels(this.o.pool).then((rows) => new Set(rows.map((r) => r.channel)));
      this.pauses = { at: Date.now(), channels: channels.catch(() => new Set<string>()) };
    }
    if (!(await this.pauses.channels).has(channel)) return false;
    // Paused as last read: ask again before holding, so a message never waits on a resume already made.
    const now = await pausedChannels(this.o.pool).then((rows) => new Set(rows.map((r) => r.channel)));
    this.pauses = { at: Date.now(), channels: Promise.resolve(now) };
    return now.has(channel);
  }

  /** Whether the next attempt, `delayMs` from now, would come after the delivery stopped being worth sending. */
  private async pastCutoff(id: string, delayMs: number): Promise<boolean> {
    const deadline = await deliveryDeadline(this.o.pool, id, this.o.lateCutoffMs ?? null).catch(() => null);
    return deadline !== null && Date.now() + delayMs > deadline.getTime();
  }

  /** Notes a failed statement (see lastDbError) and passes the outcome on. */
  private db<T>(p: Promise<T>): Promise<T> {
    return p.catch((err) => {
      this.lastDbError = Date.now();
      throw err;
    });
  }

  private async renew(): Promise<void> {
    await this.db(renewLeases(this.o.pool, this.owner, [...this.held], this.leaseMs)).catch((err: Error) =>
      this.o.logger.warn({ err: err.message, held: this.held.size }, "could not renew delivery leases"),
    );
  }

  /**
   * Takes on deliveries nobody is working on: rows in 'sending' whose worker died (their lease lapsed) and
   * pending rows no worker claimed within a lease. Right after Postgres was unreachable here, lapsed
   * leases are left to their owners for one more lease: they could not renew them either.
   * Returns how many were found.
   */
  async sweep(): Promise<number> {
    if (this.closing) return 0;
    const sending = Date.now() - this.lastDbError > this.leaseMs;
    const ids = await this.db(strandedDeliveries(this.o.pool, this.leaseMs, { sending }));
    if (ids.length) this.o.logger.info({ count: ids.length }, "taking on deliveries nobody is working on");
    await this.dispatch(ids);
    return ids.length;
  }

  /** Redis lost its data (queued deliveries and their retries with it): every pending row is queued again. */
  async afterRedisLoss(): Promise<number> {
    const rows = await this.db(pendingDeliveries(this.o.pool));
    const now = Date.now();
    const due = rows.filter((r) => !r.next_attempt_at || r.next_attempt_at.getTime() <= now).map((r) => r.id);
    await this.dispatch(due);
    for (const r of rows)
      if (r.next_attempt_at && r.next_attempt_at.getTime() > now)
        await this.o.queue.enqueue([r.id], r.next_attempt_at.getTime() - now);
    return rows.length;
  }

  /** Stops taking work: sends in flight finish, rows not yet started go to the queue for another process. */
  async close(): Promise<void> {
    this.closing = true;
    for (const l of this.loops) clearInterval(l);
    const left = this.waiting.splice(0);
    this.waitingIds.clear();
    await Promise.all([this.worker.close(), Promise.allSettled([...this.direct]), this.o.queue.enqueue(left)]);
  }
}

/** The message a claimed row asks its sender to send. */
function messageOf(d: ClaimedDelivery): OutboundMessage {
  return {
    deliveryId: d.id,
    channel: d.channel,
    recipient: d.recipient,
    body: d.body,
    blocks: d.blocks,
    task: d.task_id ? { id: d.task_id, recurring: d.recurring } : null,
    optedOut: d.opted_out,
  };
}
