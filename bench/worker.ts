/**
 * A bench worker process: a Herald runtime (fire and delivery workers, scheduler) with a no-op executor
 * and a 0 ms sender, or a bare BullMQ worker doing the same no-op. Spec in argv[2]; talks over IPC.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "bullmq";
import { loadConfig } from "../src/config/index.js";
import { silentLogger } from "../src/log/index.js";
import { startRuntime } from "../src/runtime/index.js";
import { createRedis } from "../src/redis/index.js";
import type { WorkerSpec } from "./child.js";

const spec = JSON.parse(process.argv[2]!) as WorkerSpec;
let lateness: number[] = [];
let done = 0;
let lastAt = 0;
let fired = 0;
let lastFiredAt = 0;
let rssPeak = 0;
let phasePeak = 0;
const sample = () => {
  const rss = process.memoryUsage().rss;
  rssPeak = Math.max(rssPeak, rss);
  phasePeak = Math.max(phasePeak, rss);
};
setInterval(sample, 200).unref();
// How long the event loop was held up: a run due meanwhile starts that late.
const loop = monitorEventLoopDelay({ resolution: 2 });
loop.enable();

let close: () => Promise<unknown>;
// BENCH_HEAP_PROF=file: a sampling profile of every allocation (collected objects too), written on stop;
// with BENCH_HEAP_PROF_PROMOTED=1, only of what outlived a scavenge (what fills the old space).
let heapProf: (() => Promise<void>) | undefined;
if (process.env.BENCH_HEAP_PROF) {
  const { Session } = await import("node:inspector/promises");
  const { writeFileSync } = await import("node:fs");
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !process.env.BENCH_HEAP_PROF_PROMOTED,
  } as never);
  heapProf = async () => {
    const { profile } = (await session.post("HeapProfiler.stopSampling")) as { profile: unknown };
    writeFileSync(process.env.BENCH_HEAP_PROF!, JSON.stringify(profile));
  };
}
if (spec.mode === "herald") {
  const config = loadConfig({
    DATABASE_URL: spec.databaseUrl,
    REDIS_URL: spec.redisUrl,
    REDIS_CLUSTER_NODES: spec.redisClusterNodes,
    REDIS_PREFIX: spec.prefix,
    LOG_LEVEL: "silent",
    WORKER_CONCURRENCY: String(spec.concurrency),
    ...spec.env,
  });
  const rt = await startRuntime(
    config,
    silentLogger,
    { worker: true, http: false },
    {
      leadMs: spec.leadMs,
      executor: {
        // Stands in for the offline executor, which is pure (see Executor.pure).
        pure: true,
        execute: async ({ run, lateMs }) => {
          lateness.push(lateMs);
          fired++;
          lastFiredAt = Date.now();
          return { message: `⏰ ${run.task.title}` };
        },
      },
      senders: spec.env
        ? undefined
        : [
            {
              channel: "console",
              send: async () => {
                done++;
                lastAt = Date.now();
                return { status: "delivered" };
              },
            },
          ],
    },
  );
  close = () => rt.close();
} else {
  const worker = new Worker<{ due: number }>(
    "bare",
    async (job) => {
      const t = Date.now();
      lateness.push(t - job.data.due);
      done++;
      fired++;
      lastAt = lastFiredAt = t;
    },
    {
      connection: createRedis(spec.redisUrl),
      prefix: spec.prefix,
      concurrency: spec.concurrency,
    },
  );
  close = () => worker.close();
}

process.on("message", async (m: { cmd: string; reset?: boolean }) => {
  if (m.cmd === "report") {
    sample();
    const loopDelay = { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
    process.send!({
      lateness,
      done,
      lastAt,
      fired,
      lastFiredAt,
      rssPeakMb: rssPeak / 1048576,
      phaseRssPeakMb: phasePeak / 1048576,
      loopDelay,
    });
    if (m.reset) {
      loop.reset();
      phasePeak = 0;
      lateness = [];
      done = 0;
      lastAt = 0;
      fired = 0;
      lastFiredAt = 0;
    }
  } else if (m.cmd === "stop") {
    await heapProf?.();
    await close();
    process.exit(0);
  }
});
process.send!({ ready: true });
