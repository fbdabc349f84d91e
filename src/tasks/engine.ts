import { setTimeout as sleep } from "node:timers/promises";
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type pg from "pg";
import type { Logger } from "../log/index.js";
import { MicroBatcher, Slots, type BatcherOptions } from "./batch.js";
import { claimRun, completeRun, failRun, heartbeat, releaseRun, type ClaimResult, type ClaimedRun, type Completed, type Completion, type OutboxItem } from "./runs.js";
import { claimMany, completeMany, type ClaimInput, type CompleteInput } from "./runs-batch.js";
import { occurrenceAfter } from "./schedule.js";
import { FIRE_QUEUE, Timers, type FireJob } from "./timers.js";

/** What a run produces: messages for the task's owner (never anyone else), and an optional end to a recurrence. */
export interface ExecutionResult {
  /** Text sent to the owner on the task's channel. Empty: nothing is sent. */
  message: string;
  /** A note kept with the run (shown to the next run as context). */
  note?: string;
  /** Ends a recurring task after this run. */
  finish?: boolean;
  /** A one-off follow-up for the same owner ("check again in an hour"). */
  followUp?: { at: Date; title: string; instruction: string };
  usage?: unknown;
}

export interface ExecutionInput {
  run: ClaimedRun;
  occurrence: Date;
  now: Date;
  lateMs: number;
}

/** Acts on a task when it fires: the offline formatter or the LLM. */
export interface Executor {
  execute(input: ExecutionInput): Promise<ExecutionResult>;
}

/** Hands new outbox rows to the delivery worker (resolves once they are on their way, not when sent). */
export interface OutboxSink {
  dispatch(deliveryIds: string[]): Promise<void>;
}

/** Where a message for this user on this channel goes, or null when they cannot be reached there. */
export function recipientFor(user: ClaimedRun["user"], channel: string): string | null {
  switch (channel) {
    case "console": return user.consoleName;
    case "sms": return user.phone;
    case "email": return user.email;
    case "slack": return user.slackUserId;
    default: return null;
  }
}

export interface EngineOptions {
  pool: pg.Pool;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  executor: Executor;
  outbox: OutboxSink;
  /** The clock; tests pass a controllable one. */
  now?: () => Date;
  /** Runs executing at once (LLM calls in flight). @defaultValue 100 */
  concurrency?: number;
  /** Jobs held on top of `concurrency` while they wait out their last hop. @defaultValue 2000 */
  prefetch?: number;
  attempts?: number;
  /** How early Redis timers fire; the worker waits out the rest on its own timer. @defaultValue 250 */
  leadMs?: number;
  /** BullMQ lock, and the run's lease in task_runs: a worker silent this long is presumed dead. @defaultValue 30000 */
  lockDurationMs?: number;
  horizonMs?: number;
  /** A recurring task overdue by more than this fires its latest missed occurrence only. @defaultValue 60000 */
  misfireGraceMs?: number;
  /** BullMQ workers fetching for this process (see the constructor). @defaultValue 4 */
  fetchers?: number;
  /** Group claims and completions into multi-row statements; false: one transaction per run. */
  batch?: BatcherOptions | false;
  /** Called once a run has failed for good (ops alerts hook in here). */
  onRunFailed?: (run: ClaimedRun, error: string) => void;
}

interface AfterCommit {
  deliveryIds: string[];
  timer: { taskId: string; occurrence: Date } | null;
}

/**
 * The fire worker: waits out the last hop to the due instant, claims the occurrence in Postgres, acts,
 * and writes the outcome and its outbox rows in one transaction. Retries with exponential backoff.
 * Exactly once comes from Postgres, not Redis: the run row is the claim, so duplicate or re-created
 * timers find nothing to do, and a run whose worker died is taken over once its lease lapses.
 */
export class FireWorker {
  /** The first of `workers` (kept for callers that listen to one). */
  readonly worker: Worker<FireJob>;
  readonly workers: Worker<FireJob>[];
  private readonly now: () => Date;
  private readonly lease: number;
  private readonly leadMs: number;
  private readonly slots: Slots;
  private readonly claims: MicroBatcher<ClaimInput, ClaimResult> | null;
  private readonly completions: MicroBatcher<CompleteInput, Completed> | null;
  private readonly afterCommit: MicroBatcher<AfterCommit, void>;

  constructor(private readonly o: EngineOptions, private readonly timers: Timers) {
    this.now = o.now ?? (() => new Date());
    this.lease = o.lockDurationMs ?? 30_000;
    this.leadMs = o.leadMs ?? 250;
    const concurrency = o.concurrency ?? 100;
    this.slots = new Slots(concurrency);
    const b = o.batch === false ? null : o.batch ?? {};
    this.claims = b ? new MicroBatcher((items) => claimMany(o.pool, items, this.lease), b) : null;
    this.completions = b ? new MicroBatcher((items) => completeMany(o.pool, items, this.now()), b) : null;
    this.afterCommit = new MicroBatcher<AfterCommit, void>(async (items) => {
      await o.outbox.dispatch(items.flatMap((i) => i.deliveryIds));
      await this.timers.set(items.flatMap((i) => (i.timer ? [i.timer] : [])), this.now());
      return items.map(() => undefined);
    }, { windowMs: 1, maxBatch: 1000 });
    // A BullMQ worker fetches one job per round trip while its slots are held (ours wait out the last hop),
    // so a burst is fetched by several workers side by side; they share this process's slots and batches.
    const fetchers = Math.max(1, o.fetchers ?? 4);
    this.workers = Array.from({ length: fetchers }, () => {
      const w = new Worker<FireJob>(FIRE_QUEUE, (job, token) => this.process(job, token), {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: Math.ceil((concurrency + (o.prefetch ?? 2000)) / fetchers),
        lockDuration: this.lease,
        stalledInterval: Math.max(1000, Math.floor(this.lease / 2)),
        maxStalledCount: 3,
      });
      w.on("error", (err) => o.logger.warn({ err: err.message }, "fire worker error"));
      return w;
    });
    this.worker = this.workers[0]!;
  }

  private async process(job: Job<FireJob>, token?: string): Promise<string> {
    const occurrence = new Date(job.data.occurrence);
    const early = occurrence.getTime() - this.now().getTime();
    // Came much too early (a clock moved, or a timer set from stale data): go back to Redis instead of holding a slot.
    if (early > Math.max(1000, this.leadMs * 4)) return this.delay(job, token, early - this.leadMs);
    // Claimed before the due instant, so the instant itself costs no round trip: the run then waits out
    // the last hop holding its lease. A cancel in between still sends nothing (the completion sees it).
    const now = this.now();
    const grace = this.o.misfireGraceMs ?? 60_000;
    const claim = this.claims && now.getTime() - occurrence.getTime() <= grace
      ? await this.claims.add({ taskId: job.data.taskId, occurrence, now })
      : await claimRun(this.o.pool, job.data.taskId, occurrence, now, this.lease, grace);
    if (!claim.claimed) {
      this.o.logger.debug({ taskId: job.data.taskId, reason: claim.reason }, "timer fired, nothing to do");
      if (claim.moveTo) await this.timers.set([{ taskId: job.data.taskId, occurrence: claim.moveTo }], this.now());
      // Another worker holds the occurrence: look again once its lease could have lapsed.
      if (claim.busy) return this.delay(job, token, this.lease);
      return claim.reason;
    }
    return this.run(job, claim.run, occurrence);
  }

  private async delay(job: Job<FireJob>, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  private async run(job: Job<FireJob>, run: ClaimedRun, occurrence: Date): Promise<string> {
    const beat = setInterval(() => void heartbeat(this.o.pool, run, this.now()).catch(() => {}), Math.max(500, this.lease / 3));
    try {
      // Timers may wake a millisecond early against the wall clock: wait until the instant has truly come.
      for (let early = occurrence.getTime() - this.now().getTime(); early > 0; early = occurrence.getTime() - this.now().getTime()) await sleep(early);
      await this.slots.acquire();
      const now = this.now();
      const lateMs = Math.max(0, now.getTime() - occurrence.getTime());
      const result = await this.o.executor.execute({ run, occurrence, now, lateMs }).finally(() => this.slots.release());
      const deliveries: OutboxItem[] = [];
      const recipient = recipientFor(run.user, run.task.channel);
      if (result.message && recipient) deliveries.push({ channel: run.task.channel, recipient, body: result.message });
      const after = this.now();
      const next = result.finish ? null : occurrenceAfter(run.task, occurrence, after);
      const timerAt = next && next.getTime() - after.getTime() <= (this.o.horizonMs ?? 3_600_000) ? next : null;
      const completion: Completion = { startedAt: now, lateMs, output: result.note ? `${result.message}\n${result.note}` : result.message, deliveries, next, timerAt, usage: result.usage, followUp: result.followUp };
      const done = this.completions && !result.followUp && deliveries.length <= 1
        ? await this.completions.add({ run, done: completion })
        : await completeRun(this.o.pool, run, completion, after);
      this.o.logger.info({ taskId: run.task.id, runId: run.runId, lateMs, status: done.status }, "task fired");
      await this.afterCommit.add({ deliveryIds: done.deliveryIds, timer: done.status === "scheduled" && timerAt ? { taskId: run.task.id, occurrence: timerAt } : null });
      return done.status;
    } catch (err) {
      return await this.failed(job, run, occurrence, err);
    } finally {
      clearInterval(beat);
    }
  }

  /** A failed attempt: released for the retry, or, on the last one, failed for good with the ops hook called. */
  private async failed(job: Job<FireJob>, run: ClaimedRun, occurrence: Date, err: unknown): Promise<never> {
    const message = err instanceof Error ? err.message : String(err);
    const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!final) {
      await releaseRun(this.o.pool, run, message);
      this.o.logger.warn({ taskId: run.task.id, attempt: job.attemptsMade + 1, err: message }, "run failed, will retry");
      throw err;
    }
    const now = this.now();
    const next = occurrenceAfter(run.task, occurrence, now);
    if (await failRun(this.o.pool, run, message, next, now)) {
      this.o.logger.error({ taskId: run.task.id, runId: run.runId, err: message }, "run failed for good");
      this.o.onRunFailed?.(run, message);
      if (next && next.getTime() - now.getTime() <= (this.o.horizonMs ?? 3_600_000)) await this.timers.set([{ taskId: run.task.id, occurrence: next }], this.now());
    }
    throw new UnrecoverableError(message);
  }

  /** Stops taking jobs and waits for those in flight (a job still running at the deadline is released to another worker). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
