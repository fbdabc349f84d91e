import { Queue } from "bullmq";
import type { Redis } from "../redis/index.js";
import { fireJobId } from "./schedule.js";

export const FIRE_QUEUE = "fire";

export interface FireJob {
  taskId: string;
  /** The occurrence, epoch ms. */
  occurrence: number;
}

/**
 * Redis holds timers only; Postgres holds the truth. A timer is a delayed BullMQ job whose id is derived
 * from task and occurrence, so setting it twice is harmless, and one that fires for a changed task does nothing.
 */
export class Timers {
  readonly queue: Queue<FireJob>;

  constructor(private readonly redis: Redis, prefix: string, private readonly leadMs: number, private readonly attempts = 5) {
    this.queue = new Queue<FireJob>(FIRE_QUEUE, { connection: redis, prefix });
  }

  /**
   * Sets timers, `leadMs` early: the worker then waits out the last hop on its own timer, which is more
   * precise than BullMQ's delayed-job promotion.
   */
  async set(items: { taskId: string; occurrence: Date }[], now: Date): Promise<void> {
    if (items.length === 0) return;
    await this.queue.addBulk(
      items.map(({ taskId, occurrence }) => ({
        name: "fire",
        data: { taskId, occurrence: occurrence.getTime() },
        opts: {
          jobId: fireJobId(taskId, occurrence),
          delay: Math.max(0, occurrence.getTime() - now.getTime() - this.leadMs),
          attempts: this.attempts,
          backoff: { type: "exponential", delay: 2000 },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /** Drops a timer that is no longer wanted (best effort: a stale timer is harmless anyway). */
  async remove(taskId: string, occurrence: Date): Promise<void> {
    await this.queue.remove(fireJobId(taskId, occurrence)).catch(() => 0);
  }

  /** Which of these timers exist in Redis (the reconciler's check for lost data). */
  async existing(items: { taskId: string; occurrence: Date }[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const i of items) pipeline.exists(this.queue.toKey(fireJobId(i.taskId, i.occurrence)));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, n]: [Error | null, unknown]) => n === 1);
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
