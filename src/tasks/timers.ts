import { Queue } from "bullmq";
import type { Redis } from "../redis/index.js";
import { fireJobId } from "./schedule.js";

export const FIRE_QUEUE = "fire";

export interface FireJob {
  taskId: string;
  /** The occurrence, epoch ms. */
  occurrence: number;
}

/** A sweep: fires every task due within [from, from + SWEEP_MS). */
export interface SweepJob {
  /** Epoch ms, a multiple of SWEEP_MS. */
  from: number;
}

export const SWEEP_JOB = "sweep";

/**
 * BullMQ's own retries of a timer job cover Herald's infrastructure failing under it (Postgres away during a
 * claim); a run that fails waits in place for the retry policy's delay instead (src/retry, FireWorker).
 */
const INFRA_RETRY = { attempts: 10, backoff: { type: "exponential", delay: 1000 } } as const;

/**
 * Tasks armed in bulk (by the scheduler's horizon pass) share one timer per second of due time: one
 * Redis job instead of thousands when many fall due together, and the worker claims them in batches.
 * Tasks armed one at a time (created, rescheduled, retried) keep a timer of their own.
 */
export const SWEEP_MS = 1000;
export const sweepStart = (occurrence: Date): number => Math.floor(occurrence.getTime() / SWEEP_MS) * SWEEP_MS;
const sweepJobId = (from: number) => `s-${from}`;

/** KEYS in groups of ARGV[1]: 1 for each group where any key exists, else 0. */
const ANY_EXISTS = `
local k = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS, k do
  local n = 0
  for j = i, i + k - 1 do n = n + redis.call('EXISTS', KEYS[j]) end
  out[#out + 1] = n > 0 and 1 or 0
end
return out`;

/** A timer for one occurrence; `notBefore` holds it back further (a retry's backoff, a busy occurrence). */
export interface TimerItem {
  taskId: string;
  occurrence: Date;
  notBefore?: Date;
}

/**
 * Redis holds timers only; Postgres holds the truth. A timer is a delayed BullMQ job whose id is derived
 * from task and occurrence, so setting it twice is harmless, and one that fires for a changed task does nothing.
 */
export class Timers {
  readonly queue: Queue<FireJob | SweepJob>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly leadMs: number,
  ) {
    this.queue = new Queue<FireJob | SweepJob>(FIRE_QUEUE, { connection: redis, prefix });
    // Without a listener BullMQ prints every connection error; the commands that fail say what failed.
    this.queue.on("error", () => {});
  }

  private opts(jobId: string, fireAt: number, now: Date) {
    return {
      jobId,
      delay: Math.max(0, fireAt - now.getTime()),
      ...INFRA_RETRY,
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Sets timers, `leadMs` early: the worker then waits out the last hop on its own timer, which is more
   * precise than BullMQ's delayed-job promotion.
   */
  async set(items: TimerItem[], now: Date): Promise<void> {
    if (items.length === 0) return;
    await this.queue.addBulk(
      items.map(({ taskId, occurrence, notBefore }) => ({
        name: "fire",
        data: { taskId, occurrence: occurrence.getTime() },
        opts: this.opts(
          fireJobId(taskId, occurrence),
          Math.max(occurrence.getTime() - this.leadMs, notBefore?.getTime() ?? 0),
          now,
        ),
      })),
    );
  }

  /** Sets the sweep timers that cover these occurrences (see SWEEP_MS), `leadMs` early like the others. */
  async sweep(occurrences: Date[], now: Date): Promise<void> {
    const starts = [...new Set(occurrences.map(sweepStart))];
    if (starts.length === 0) return;
    await this.queue.addBulk(
      starts.map((from) => ({
        name: SWEEP_JOB,
        data: { from },
        opts: this.opts(sweepJobId(from), from - this.leadMs, now),
      })),
    );
  }

  /** Drops a timer that is no longer wanted (best effort: a stale timer is harmless anyway). */
  async remove(taskId: string, occurrence: Date): Promise<void> {
    await this.queue.remove(fireJobId(taskId, occurrence)).catch(() => 0);
  }

  /** Which of these occurrences have a timer in Redis, their own or a sweep's (the reconciler's check for lost data). */
  existing(items: { taskId: string; occurrence: Date }[]): Promise<boolean[]> {
    return this.anyExists(items.map((i) => [fireJobId(i.taskId, i.occurrence), sweepJobId(sweepStart(i.occurrence))]));
  }

  /** Which of these occurrences have a timer of their own (a sweep leaves those to it). */
  ownTimers(items: { taskId: string; occurrence: Date }[]): Promise<boolean[]> {
    return this.anyExists(items.map((i) => [fireJobId(i.taskId, i.occurrence)]));
  }

  /**
   * One script call for the whole page: a pipeline of one EXISTS per occurrence built 2,000 commands and
   * promises per sweep page, a 6 ms block of the event loop that made runs due meanwhile late (bench
   * spread, worker --cpu-prof). The keys share the queue's prefix, so on a cluster they share its slot.
   */
  private async anyExists(jobIds: string[][]): Promise<boolean[]> {
    if (jobIds.length === 0) return [];
    const group = jobIds[0]!.length;
    const keys = jobIds.flatMap((ids) => ids.map((id) => this.queue.toKey(id)));
    const found = (await this.redis.eval(ANY_EXISTS, keys.length, ...keys, group)) as number[];
    return found.map((n) => n === 1);
  }

  /**
   * Re-arms timers that exist as a job but sit in none of BullMQ's state sets (a partial loss of Redis
   * data can leave such an orphan: it would never fire, and its id blocks a new one). Returns how many.
   */
  async rearmOrphans(items: { taskId: string; occurrence: Date }[], now: Date): Promise<number> {
    const orphans: typeof items = [];
    for (const i of items) {
      const state = await this.queue.getJobState(fireJobId(i.taskId, i.occurrence));
      if (state === "unknown" || state === "completed" || state === "failed") orphans.push(i);
    }
    for (const i of orphans) await this.remove(i.taskId, i.occurrence);
    await this.set(orphans, now);
    return orphans.length;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
