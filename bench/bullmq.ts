import { Queue } from "bullmq";
import type { BenchWorker, WorkerReport } from "./child.js";
import type { Scratch } from "./engine.js";

/**
 * Bare BullMQ doing the same no-op work as Herald: one delayed job per task, due at the same instants,
 * processed by a worker that records its lateness and does nothing else. The yardstick for Herald's figures.
 */
export async function bullmqSpread(
  s: Scratch,
  w: BenchWorker,
  n: number,
  spreadMs: number,
): Promise<WorkerReport & { due: number }> {
  const queue = new Queue<{ due: number }>("bare", { connection: s.redis, prefix: s.prefix });
  const due = Math.round(Date.now() + 8_000 + n / 5);
  const step = spreadMs / n;
  for (let from = 0; from < n; from += 5000) {
    const now = Date.now();
    const jobs = [];
    for (let i = from; i < Math.min(n, from + 5000); i++) {
      const at = Math.round(due + i * step);
      jobs.push({ name: "j", data: { due: at }, opts: { delay: Math.max(0, at - now), removeOnComplete: true } });
    }
    await queue.addBulk(jobs);
  }
  const r = await w.waitFor(n, due - Date.now() + spreadMs + 90_000);
  await w.report(true);
  await queue.close();
  return { ...r, due };
}
