import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type pg from "pg";
import { MicroBatcher, Slots, type BatcherOptions } from "../batch/index.js";
import { failureOf, HeraldError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import type { ClaimedAhead, OutboxItem, Reservation } from "../notify/index.js";
import { DEFAULT_RETRY, nextRetry, type RetryPolicy } from "../retry/index.js";
import {
  claimRun,
  completeRun,
  failRun,
  heartbeat,
  releaseRun,
  type ClaimResult,
  type ClaimedRun,
  type Completed,
  type Completion,
} from "./runs.js";
import {
  claimMany,
  commitMany,
  completeMany,
  peekMany,
  type ClaimInput,
  type CommitInput,
  type CompleteInput,
  type Committed,
  type Peeked,
} from "./runs-batch.js";
import { occurrenceAfter } from "./schedule.js";
import { FIRE_QUEUE, SWEEP_JOB, SWEEP_MS, type Timers, type FireJob, type SweepJob, type TimerItem } from "./timers.js";

/** Occurrences of one sweep checked and fired together (see sweep()). */
const SWEEP_PAGE = 2000;
/**
 * Swept occurrences in flight at once in this process. What each holds (its rows, its run, its promises)
 * outlives a few scavenges in a burst and is promoted, so this bounds the old space a burst fills with
 * garbage (bench, worker RSS peak): 2,000 in flight 144 MB, 500 124, 400 118, 250 115; 125 held back
 * the 100k burst (23 s against 16-17 s at 250-500), each statement's batch too small.
 */
const SWEEP_HELD = 400;
/**
 * How long before its instant a swept occurrence is read (or claimed) and made ready to fire: long enough
 * for the read's round trip, short enough that what it holds dies young. A scavenge comes every ~65 ms at
 * the spread bench's rate, and what survives two is promoted: at 250 ms every occurrence's read rows, run
 * and promises were (8.4 KB a task, BENCH_HEAP_PROF_PROMOTED), and the old space filled with garbage
 * (spread bench: 92 mark-compacts at 250 ms, 63 at 50, 49 at 30).
 */
const PREPARE_MS = 30;
/** Occurrences a sweep starts before it lets timers due meanwhile run (MicroBatcher slices its results likewise). */
const YIELD_EVERY = 100;

/** What a run produces: messages for the task's owner (never anyone else), and an optional end to a recurrence. */
export interface ExecutionResult {
  /** Text sent to the owner on the task's channel. Empty: nothing is sent. */
  message: string;
  /** Rich content beside the text, for channels that have it (a sitrep's Slack blocks). */
  blocks?: unknown[];
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
  /**
   * Acting has no effect but its result: no model, no tool, nothing written (the offline formatter, a
   * sitrep). The engine then acts before it claims, and claims and records the run in one statement
   * (runs-batch.ts commitMany); on a conflict it claims as usual and acts again. Default false.
   */
  pure?: boolean;
}

/** Hands new outbox rows to the delivery worker (resolves once they are on their way, not when sent). */
export interface OutboxSink {
  /** Pending rows, by id. */
  dispatch(deliveryIds: string[]): Promise<void>;
  /**
   * Send slots for rows a completion is about to write already claimed for this process's sender, which
   * then sends them at once, without claiming them first (see Reservation). Optional: without it every
   * row is written pending and dispatched.
   */
  reserve?(n: number): Reservation;
}

/**
 * Where a run's message goes: the outbox rows for it (none when the owner cannot be reached on the task's
 * channel). Built by the runtime from the channel registry, which knows how each channel addresses a user.
 */
export type DeliveryPlanner = (run: ClaimedRun, message: { body: string; blocks?: unknown[] }) => OutboxItem[];

export interface EngineOptions {
  pool: pg.Pool;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  executor: Executor;
  outbox: OutboxSink;
  /** The outbox rows a run's message becomes. */
  plan: DeliveryPlanner;
  /** When to try a failed run again, and when to give up (RUN_ATTEMPTS). @defaultValue DEFAULT_RETRY */
  retry?: RetryPolicy;
  /** The clock; tests pass a controllable one. */
  now?: () => Date;
  /** Runs executing at once (LLM calls in flight). @defaultValue 100 */
  concurrency?: number;
  /** Jobs held on top of `concurrency` while they wait out their last hop. @defaultValue 2000 */
  prefetch?: number;
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
  /**
   * Called as each attempt ends (metrics): succeeded, skipped (the task changed meanwhile), retried or
   * failed (for good); how late it started and how long it took.
   */
  /**
   * Too late to be useful: a failing run is given up rather than retried past its occurrence plus the
   * task's cut-off, or this (LATE_CUTOFF_MS). Undefined: only the retry budget decides.
   */
  lateCutoffMs?: number;
  onRunEnded?: (r: { channel: string; outcome: RunOutcome; lateMs: number; durationMs: number }) => void;
}

export type RunOutcome = "succeeded" | "skipped" | "retried" | "failed";

interface AfterCommit {
  deliveries: string[];
  timer: { taskId: string; occurrence: Date } | null;
}

/**
 * How firing one occurrence ended: done (or nothing to do), to be looked at again later (another worker
 * holds it), or failed, for good or for a retry.
 */
type Outcome = { status: string } | { lookAgainInMs: number } | { error: Error; retryInMs: number | null };

/**
 * The fire worker: waits out the last hop to the due instant, claims the occurrence in Postgres, acts,
 * and writes the outcome and its outbox rows in one transaction. Retries with exponential backoff.
 * Exactly once comes from Postgres, not Redis: the run row is the claim, so duplicate or re-created
 * timers find nothing to do, and a run whose worker died is taken over once its lease lapses. A pure
 * executor's run (Executor.pure) is read instead of claimed, acted on, and claimed with its outcome in
 * one statement; a worker that dies before that has written nothing, and the sweep or timer runs again.
 */
export class FireWorker {
  /** The first of `workers` (kept for callers that listen to one). */
  readonly worker: Worker<FireJob | SweepJob>;
  readonly workers: Worker<FireJob | SweepJob>[];
  private readonly now: () => Date;
  private readonly retry: RetryPolicy;
  private readonly lease: number;
  private readonly leadMs: number;
  private readonly slots: Slots;
  /** Occurrences the sweeps may hold at once (read or claimed, waiting out the last hop, running): SWEEP_HELD. */
  private readonly held: Slots;
  private readonly claims: MicroBatcher<ClaimInput, ClaimResult> | null;
  private readonly completions: MicroBatcher<CompleteInput, Completed> | null;
  /** A pure executor's occurrences: read, acted on, then claimed and recorded at once (see Executor.pure). */
  private readonly peeks: MicroBatcher<{ taskId: string; occurrence: Date }, Peeked | null> | null;
  private readonly commits: MicroBatcher<CommitInput, Committed | null> | null;
  private readonly afterCommit: MicroBatcher<AfterCommit, undefined>;
  /** Runs being worked on now, and finished since start (the sitrep's worker list). */
  private inFlight = 0;
  private processed = 0;
  /**
   * Runs this process holds, kept alive by one heartbeat statement for all of them (a timer and a
   * statement per run cost a 10k burst 10k statements once runs waited longer than a third of the lease).
   */
  private readonly live = new Set<ClaimedRun>();
  private readonly beat: NodeJS.Timeout;

  constructor(
    private readonly o: EngineOptions,
    private readonly timers: Timers,
  ) {
    this.now = o.now ?? (() => new Date());
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.lease = o.lockDurationMs ?? 30_000;
    this.leadMs = o.leadMs ?? 250;
    const concurrency = o.concurrency ?? 100;
    this.slots = new Slots(concurrency);
    this.held = new Slots(SWEEP_HELD);
    const b = o.batch === false ? null : (o.batch ?? {});
    this.claims = b ? new MicroBatcher((items) => claimMany(o.pool, items, this.lease), b) : null;
    this.completions = b ? new MicroBatcher((items) => completeMany(o.pool, items, this.now()), b) : null;
    const pure = b && o.executor.pure ? b : null;
    this.peeks = pure ? new MicroBatcher((items) => peekMany(o.pool, items), pure) : null;
    this.commits = pure ? new MicroBatcher((items) => this.commit(items), pure) : null;
    this.afterCommit = new MicroBatcher<AfterCommit, undefined>(
      async (items) => {
        await o.outbox.dispatch(items.flatMap((i) => i.deliveries));
        await this.timers.set(
          items.flatMap((i) => (i.timer ? [i.timer] : [])),
          this.now(),
        );
        return items.map(() => undefined);
      },
      { windowMs: 1, maxBatch: 1000 },
    );
    // A BullMQ worker fetches one job per round trip while its slots are held (ours wait out the last hop),
    // so a burst is fetched by several workers side by side; they share this process's slots and batches.
    const fetchers = Math.max(1, o.fetchers ?? 4);
    this.workers = Array.from({ length: fetchers }, () => {
      const w = new Worker<FireJob | SweepJob>(FIRE_QUEUE, (job, token) => this.process(job, token), {
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
    this.beat = setInterval(
      () => void heartbeat(o.pool, [...this.live], this.now()).catch(() => {}),
      Math.max(500, this.lease / 3),
    );
    this.beat.unref();
  }

  private async process(job: Job<FireJob | SweepJob>, token?: string): Promise<string> {
    const at = job.name === SWEEP_JOB ? (job.data as SweepJob).from : (job.data as FireJob).occurrence;
    const early = at - this.now().getTime();
    // Came much too early (a clock moved, or a timer set from stale data): go back to Redis instead of holding a slot.
    if (early > Math.max(1000, this.leadMs * 4)) return this.delay(job, token, early - this.leadMs);
    if (job.name === SWEEP_JOB) return this.sweep((job.data as SweepJob).from);
    const { taskId } = job.data as FireJob;
    const out = await this.fire(taskId, new Date(at));
    if ("lookAgainInMs" in out) return this.delay(job, token, out.lookAgainInMs);
    // A failed attempt waits in place for the retry policy's delay; one given up fails its job.
    if ("error" in out) {
      if (out.retryInMs === null) throw new UnrecoverableError(out.error.message);
      return this.delay(job, token, out.retryInMs);
    }
    return out.status;
  }

  private async delay(job: Job, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  /**
   * Fires every task due within one sweep's second that has no timer of its own (created or changed one
   * at a time, those keep theirs). What cannot finish now (another worker holds it, or an attempt
   * failed) gets a timer of its own to be looked at again.
   * The sweep job is held until its runs end, so a worker that dies mid-sweep leaves a stalled job that
   * another worker sweeps again; claims make that harmless.
   */
  private async sweep(from: number): Promise<string> {
    const later: TimerItem[] = [];
    let swept = 0;
    const running = new Set<Promise<void>>();
    // A page at a time, fetched from a cursor: 100,000 due in one second as one Redis pipeline and one
    // promise each ran a 128 MB worker out of heap (the bench's 100k burst), and as one result held 30 MB
    // (worker RSS peak 173 -> 140 MB). Each occurrence starts once a held slot is free, so the next page
    // flows in as the last one's runs end, not after the slowest of them.
    const cursor = await this.o.pool.connect();
    try {
      await cursor.query("BEGIN READ ONLY");
      await cursor.query(
        `DECLARE due NO SCROLL CURSOR FOR SELECT id, next_run_at FROM tasks
          WHERE status IN ('scheduled', 'running') AND next_run_at >= $1 AND next_run_at < $2 ORDER BY next_run_at`,
        [new Date(from), new Date(from + SWEEP_MS)],
      );
      for (;;) {
        const { rows: page } = await cursor.query<{ id: string; next_run_at: Date }>(`FETCH ${SWEEP_PAGE} FROM due`);
        if (page.length === 0) break;
        const own = await this.timers.ownTimers(page.map((r) => ({ taskId: r.id, occurrence: r.next_run_at })));
        const rows = page.filter((_, i) => !own[i]);
        swept += rows.length;
        for (const [i, { id, next_run_at: occurrence }] of rows.entries()) {
          // Started just ahead of its instant rather than a whole sweep early: what a run holds then lives
          // a quarter second instead of one to two, and dies young (spread bench, --trace-gc).
          const early = occurrence.getTime() - PREPARE_MS - this.now().getTime();
          if (early > 5) await sleep(early);
          await this.held.acquire();
          const run = this.fireSwept(id, occurrence, later).finally(() => this.held.release());
          running.add(run);
          void run.then(() => running.delete(run));
          // Started in one go, a page held the event loop for milliseconds, and runs due meanwhile were late.
          if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
        }
      }
      await cursor.query("COMMIT");
    } catch (err) {
      // A connection that failed is not given back to the pool; the runs already started finish on their own.
      await cursor.query("ROLLBACK").catch(() => {});
      cursor.release(err as Error);
      throw err;
    }
    cursor.release();
    await Promise.all(running);
    await this.timers.set(later, this.now());
    return `swept ${swept}`;
  }

  /**
   * One occurrence of a sweep. What cannot finish now goes into `later`, for a timer of its own: another
   * worker holds it, its attempt failed, or the claim itself could not be made (Postgres unreachable, say).
   */
  private async fireSwept(taskId: string, occurrence: Date, later: TimerItem[]): Promise<void> {
    const again = (inMs: number) => later.push({ taskId, occurrence, notBefore: new Date(Date.now() + inMs) });
    try {
      const out = await this.fire(taskId, occurrence);
      if ("lookAgainInMs" in out) again(out.lookAgainInMs);
      else if ("error" in out && out.retryInMs !== null) again(out.retryInMs);
    } catch (err) {
      this.o.logger.warn({ taskId, err: (err as Error).message }, "could not fire a swept task; will retry");
      again(this.retry.baseMs);
    }
  }

  /**
   * One occurrence, start to end: claimed before the due instant (so the instant itself costs no round
   * trip), the last hop waited out holding the lease, then acted on and recorded. A cancel in between
   * still sends nothing (the completion sees it). Throws only when the claim cannot be made.
   */
  private async fire(taskId: string, occurrence: Date): Promise<Outcome> {
    const grace = this.o.misfireGraceMs ?? 60_000;
    const inGrace = () => this.now().getTime() - occurrence.getTime() <= grace;
    if (this.peeks && inGrace()) {
      const peeked = await this.peeks.add({ taskId, occurrence });
      const out = peeked && (await this.run(peeked.run, occurrence, peeked));
      if (out) return out;
    }
    const now = this.now();
    const claim =
      this.claims && inGrace()
        ? await this.claims.add({ taskId, occurrence, now })
        : await claimRun(this.o.pool, taskId, occurrence, now, this.lease, grace);
    if (!claim.claimed) {
      this.o.logger.debug({ taskId, reason: claim.reason }, "timer fired, nothing to do");
      if (claim.moveTo) await this.timers.set([{ taskId, occurrence: claim.moveTo }], this.now());
      // Another worker holds the occurrence: look again once its lease could have lapsed.
      if (claim.busy) return { lookAgainInMs: this.lease };
      return { status: claim.reason };
    }
    return (await this.run(claim.run, occurrence))!; // a claimed run always ends in an outcome
  }

  /**
   * Claims and records peeked runs (commitMany). As many of their messages as this process can send at
   * once are written already claimed for its sender and handed to it here; the rest go out pending.
   */
  private async commit(items: CommitInput[]): Promise<(Committed | null)[]> {
    const wanted = items.map((i) => i.done.deliveries.length === 1);
    const reservation = this.o.outbox.reserve?.(wanted.filter(Boolean).length);
    let left = reservation?.granted ?? 0;
    const claim = reservation && {
      owner: reservation.owner,
      leaseMs: reservation.leaseMs,
      rows: wanted.map((w) => w && left-- > 0),
    };
    const out = await commitMany(this.o.pool, items, this.now(), claim).catch((err) => {
      reservation?.send([]);
      throw err;
    });
    reservation?.send(
      out.flatMap((c, i): ClaimedAhead[] => {
        if (!c?.claimed) return [];
        const { peeked, done } = items[i]!;
        const { task, user } = peeked.run;
        return [
          {
            ...c.claimed,
            message: done.deliveries[0]!,
            userId: task.userId,
            taskId: task.id,
            optedOut: user.optedOut,
            recurring: task.rrule !== null,
          },
        ];
      }),
    );
    return out;
  }

  /** Runs being worked on by this process now, and runs it has finished since it started. */
  stats(): { inFlight: number; processed: number } {
    return { inFlight: this.inFlight, processed: this.processed };
  }

  /**
   * Waits out the last hop, acts, and records the outcome. A peeked run (not claimed yet: see
   * Executor.pure) is claimed with its record; null when that conflicts, or it failed or needs the careful
   * path: nothing was written, and the caller claims the occurrence as usual.
   */
  private async run(run: ClaimedRun, occurrence: Date, peeked?: Peeked): Promise<Outcome | null> {
    this.inFlight++;
    const began = this.now();
    let lateMs = 0;
    const ended = (outcome: RunOutcome) =>
      this.o.onRunEnded?.({
        channel: run.task.channel,
        outcome,
        lateMs,
        durationMs: this.now().getTime() - began.getTime(),
      });
    if (!peeked) this.live.add(run);
    let outcome: Outcome | null = null;
    try {
      // Timers may wake a millisecond early against the wall clock: wait until the instant has truly come.
      for (
        let early = occurrence.getTime() - this.now().getTime();
        early > 0;
        early = occurrence.getTime() - this.now().getTime()
      )
        await sleep(early);
      await this.slots.acquire();
      const now = this.now();
      lateMs = Math.max(0, now.getTime() - occurrence.getTime());
      const result = await this.o.executor
        .execute({ run, occurrence, now, lateMs })
        .finally(() => this.slots.release());
      const deliveries: OutboxItem[] = result.message
        ? this.o.plan(run, { body: result.message, blocks: result.blocks })
        : [];
      // A message for nobody is not a success: the owner has no address on the task's channel.
      if (result.message && deliveries.length === 0)
        throw new HeraldError(
          "herald_run_unreachable",
          `nobody to deliver to: the owner has no ${run.task.channel} address (set one, or move the task to another channel)`,
          { retryable: false },
        );
      const after = this.now();
      const next = result.finish ? null : occurrenceAfter(run.task, occurrence, after);
      const timerAt = next && next.getTime() - after.getTime() <= (this.o.horizonMs ?? 3_600_000) ? next : null;
      const completion: Completion = {
        startedAt: now,
        lateMs,
        output: result.note ? `${result.message}\n${result.note}` : result.message,
        deliveries,
        next,
        timerAt,
        usage: result.usage,
        followUp: result.followUp,
      };
      // One delivery and no follow-up is the batched statements' case; anything else the careful path's.
      const simple = !result.followUp && deliveries.length <= 1;
      let done: Completed | null;
      if (peeked) done = simple && this.commits ? await this.commits.add({ peeked, done: completion }) : null;
      else if (simple && this.completions) done = await this.completions.add({ run, done: completion });
      else done = await completeRun(this.o.pool, run, completion, after);
      if (!done) return null;
      this.o.logger.info({ taskId: run.task.id, runId: run.runId, lateMs, status: done.status }, "task fired");
      await this.afterCommit.add({
        deliveries: done.deliveries,
        timer: done.status === "scheduled" && timerAt ? { taskId: run.task.id, occurrence: timerAt } : null,
      });
      ended(done.status === "scheduled" || done.status === "completed" ? "succeeded" : "skipped");
      outcome = { status: done.status };
      return outcome;
    } catch (err) {
      if (peeked) return null;
      outcome = await this.failed(run, occurrence, err);
      ended("error" in outcome && outcome.retryInMs !== null ? "retried" : "failed");
      return outcome;
    } finally {
      this.live.delete(run);
      this.inFlight--;
      if (outcome) this.processed++;
    }
  }

  /**
   * A failed attempt: released for the retry after the policy's wait, or, when the policy gives up (the
   * run row counts attempts, takeovers included; a permanent failure is not retried), failed for good
   * with the ops hook called.
   */
  private async failed(run: ClaimedRun, occurrence: Date, err: unknown): Promise<Outcome> {
    const error = err instanceof Error ? err : new Error(String(err));
    const failure = err instanceof UnrecoverableError ? "permanent" : failureOf(err);
    let decision = nextRetry(this.retry, run.attempt, failure);
    if (decision.retry && (await this.pastCutoff(run, occurrence, decision.delayMs))) {
      decision = { retry: false, reason: "exhausted" };
      error.message = `${error.message} (given up: too late to be useful)`;
    }
    if (decision.retry) {
      await releaseRun(this.o.pool, run, error.message, new Date(Date.now() + decision.delayMs));
      this.o.logger.warn(
        { taskId: run.task.id, attempt: run.attempt, retryInMs: decision.delayMs, err: error.message },
        "run failed, will retry",
      );
      return { error, retryInMs: decision.delayMs };
    }
    const now = this.now();
    const next = occurrenceAfter(run.task, occurrence, now);
    if (await failRun(this.o.pool, run, error.message, next, now)) {
      this.o.logger.error({ taskId: run.task.id, runId: run.runId, err: error.message }, "run failed for good");
      this.o.onRunFailed?.(run, error.message);
      if (next && next.getTime() - now.getTime() <= (this.o.horizonMs ?? 3_600_000))
        await this.timers.set([{ taskId: run.task.id, occurrence: next }], this.now());
    }
    return { error, retryInMs: null };
  }

  /** Whether the next attempt, `delayMs` from now, would come after the occurrence stopped being worth running. */
  private async pastCutoff(run: ClaimedRun, occurrence: Date, delayMs: number): Promise<boolean> {
    const { rows } = await this.o.pool
      .query<{ ms: number | null }>(`SELECT useful_for_ms AS ms FROM tasks WHERE id = $1`, [run.task.id])
      .catch(() => ({ rows: [] as { ms: number | null }[] }));
    const cutoff = rows[0]?.ms ?? this.o.lateCutoffMs;
    return cutoff !== undefined && cutoff !== null && Date.now() + delayMs > occurrence.getTime() + cutoff;
  }

  /** Stops taking jobs and waits for those in flight (a job still running at the deadline is released to another worker). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    clearInterval(this.beat);
  }
}
