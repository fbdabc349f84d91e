import { setTimeout as sleep } from "node:timers/promises";
import { Worker, UnrecoverableError, type ConnectionOptions, type Job } from "bullmq";
import type pg from "pg";
import type { Logger } from "../log/index.js";
import { claimRun, completeRun, failRun, heartbeat, releaseRun, type ClaimedRun, type OutboxItem } from "./runs.js";
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

/** Hands new outbox rows to the delivery worker. */
export interface OutboxSink {
  enqueue(deliveryIds: string[]): Promise<void>;
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
  concurrency?: number;
  attempts?: number;
  /** How early Redis timers fire; the worker waits out the rest on its own timer. */
  leadMs?: number;
  /** BullMQ lock: a worker silent this long is presumed dead and its job handed to another. */
  lockDurationMs?: number;
  horizonMs?: number;
  /** Called once a run has failed for good (ops alerts hook in here). */
  onRunFailed?: (run: ClaimedRun, error: string) => void;
}

/**
 * The fire worker: waits out the last hop to the due instant, claims the occurrence in Postgres, acts,
 * and writes the outcome and its outbox rows in one transaction. Retries with exponential backoff.
 */
export class FireWorker {
  readonly worker: Worker<FireJob>;
  private readonly now: () => Date;

  constructor(private readonly o: EngineOptions, private readonly timers: Timers) {
    this.now = o.now ?? (() => new Date());
    const lockDuration = o.lockDurationMs ?? 30_000;
    this.worker = new Worker<FireJob>(FIRE_QUEUE, (job) => this.process(job), {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 100,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    });
    this.worker.on("error", (err) => o.logger.warn({ err: err.message }, "fire worker error"));
  }

  private async process(job: Job<FireJob>): Promise<string> {
    const occurrence = new Date(job.data.occurrence);
    const early = occurrence.getTime() - this.now().getTime();
    if (early > 0) await sleep(Math.min(early, (this.o.leadMs ?? 250) * 4));
    const lease = this.o.lockDurationMs ?? 30_000;
    const claim = await claimRun(this.o.pool, job.data.taskId, occurrence, this.now(), lease);
    if (!claim.claimed) {
      this.o.logger.debug({ taskId: job.data.taskId, reason: claim.reason }, "timer fired, nothing to do");
      return claim.reason;
    }
    const run = claim.run;
    const beat = setInterval(() => void heartbeat(this.o.pool, run.runId, this.now()).catch(() => {}), Math.max(500, lease / 3));
    try {
      const now = this.now();
      const lateMs = Math.max(0, now.getTime() - occurrence.getTime());
      const result = await this.o.executor.execute({ run, occurrence, now, lateMs });
      const deliveries: OutboxItem[] = [];
      const recipient = recipientFor(run.user, run.task.channel);
      if (result.message && recipient) deliveries.push({ channel: run.task.channel, recipient, body: result.message });
      const next = result.finish ? null : occurrenceAfter(run.task, occurrence, this.now());
      const done = await completeRun(this.o.pool, run, { output: result.note ? `${result.message}\n${result.note}` : result.message, deliveries, next, usage: result.usage, followUp: result.followUp }, this.now());
      this.o.logger.info({ taskId: run.task.id, runId: run.runId, lateMs, status: done.status }, "task fired");
      if (done.deliveryIds.length) await this.o.outbox.enqueue(done.deliveryIds);
      if (done.status === "scheduled" && next && next.getTime() - this.now().getTime() <= (this.o.horizonMs ?? 3_600_000)) {
        await this.timers.set([{ taskId: run.task.id, occurrence: next }], this.now());
        await this.o.pool.query(`UPDATE tasks SET timer_at = $2 WHERE id = $1 AND next_run_at = $2`, [run.task.id, next]);
      }
      return done.status;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        const next = occurrenceAfter(run.task, occurrence, this.now());
        await failRun(this.o.pool, run, message, next, this.now());
        this.o.logger.error({ taskId: run.task.id, runId: run.runId, err: message }, "run failed for good");
        this.o.onRunFailed?.(run, message);
        if (next) await this.timers.set([{ taskId: run.task.id, occurrence: next }], this.now());
        throw new UnrecoverableError(message);
      }
      await releaseRun(this.o.pool, run.runId, message);
      this.o.logger.warn({ taskId: run.task.id, attempt: job.attemptsMade + 1, err: message }, "run failed, will retry");
      throw err;
    } finally {
      clearInterval(beat);
    }
  }

  /** Stops taking jobs and waits for those in flight (a job still running at the deadline is released to another worker). */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
