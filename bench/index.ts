/**
 * `npm run bench [-- --json] [-- --quick]`: Herald's engine side by side with bare BullMQ on this machine.
 * Firing lateness over a spread of tasks, a burst due at one instant, Redis memory with a year of tasks
 * scheduled, worker RSS. Scratch database and Redis prefix, dropped afterwards.
 * Flags: --tasks N (100000) --spread-ms N (60000) --burst N (10000) --far N (1000000) --lead-ms N (1000)
 * --repeat N (3: bursts per side, the median reported; one burst is noisy on a shared machine)
 * --concurrency N (20: runs executing at once) --worker-flags "..." (node flags for the Herald worker; default: those of
 * `npm run worker` in package.json, as production runs it) --quick (a tenth of each) --json (ends with one JSON line).
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BenchWorker, type WorkerReport } from "./child.js";
import { createScratch, dropScratch, farFutureMemory, heraldBurst, heraldSpread, type Scratch } from "./engine.js";
import { bullmqSpread } from "./bullmq.js";

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    tasks: { type: "string" },
    "spread-ms": { type: "string", default: "60000" },
    burst: { type: "string" },
    far: { type: "string" },
    "lead-ms": { type: "string", default: "1000" },
    concurrency: { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    "worker-flags": { type: "string" },
    "database-server": { type: "string", default: "postgresql://postgres@127.0.0.1:5432" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
  },
});
const scale = flags.quick ? 0.1 : 1;
const tasks = Number(flags.tasks ?? 100_000 * scale);
const spreadMs = Number(flags["spread-ms"]);
const burst = Number(flags.burst ?? 10_000 * scale);
const far = Number(flags.far ?? 1_000_000 * scale);
const leadMs = Number(flags["lead-ms"]);
const concurrency = Number(flags.concurrency);
const repeat = Math.max(1, Number(flags.repeat));
const nodeFlags = (flags["worker-flags"] ?? productionWorkerFlags()).split(" ").filter(Boolean);

/** The node flags of package.json's "worker" script (from bench/ or, compiled, from dist/bench/). */
function productionWorkerFlags(): string {
  const file = [new URL("../package.json", import.meta.url), new URL("../../package.json", import.meta.url)].find((u) =>
    existsSync(u),
  )!;
  const script = (JSON.parse(readFileSync(file, "utf8")) as { scripts: Record<string, string> }).scripts.worker ?? "";
  return (script.match(/--[\w-]+(=\S+)?/g) ?? []).join(" ");
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const burstSeconds = (r: WorkerReport & { due: number }, n: number) => (r.done >= n ? (r.lastAt - r.due) / 1000 : NaN);
const firedSeconds = (r: WorkerReport & { due: number }, n: number) =>
  r.fired >= n ? (r.lastFiredAt - r.due) / 1000 : NaN;
/** Runs `once` `repeat` times; returns each run's result. */
async function repeated<T>(once: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < repeat; i++) out.push(await once());
  return out;
}

async function main(): Promise<void> {
  const s: Scratch = await createScratch(flags["database-server"], flags["redis-url"]);
  const workers: BenchWorker[] = [];
  try {
    log(`scratch database ${s.databaseUrl.replace(/^.*\//, "")}, Redis prefix ${s.prefix}`);
    const spec = { databaseUrl: s.databaseUrl, redisUrl: s.redisUrl, prefix: s.prefix, leadMs, concurrency, nodeFlags };
    const herald = await BenchWorker.start({ ...spec, mode: "herald" });
    workers.push(herald);
    log(
      `Herald: ${tasks} tasks due over ${spreadMs / 1000} s (lead ${leadMs} ms, concurrency ${concurrency}, worker flags: ${nodeFlags.join(" ") || "none"})`,
    );
    const hs = await heraldSpread(s, herald, tasks, spreadMs, leadMs);
    if (hs.scheduledLate) log("warning: scheduling finished after the first task was due; lateness includes it");
    log(`Herald: burst of ${burst} due at one instant, ${repeat} times`);
    const hb = await repeated(() => heraldBurst(s, herald, burst, leadMs));
    const rss = (await herald.report()).rssPeakMb;
    await herald.stop();

    const bare = await BenchWorker.start({ ...spec, mode: "bullmq", concurrency: 100 });
    workers.push(bare);
    log(`bare BullMQ: ${tasks} jobs due over ${spreadMs / 1000} s`);
    const bs = await bullmqSpread(s, bare, tasks, spreadMs);
    log(`bare BullMQ: burst of ${burst}, ${repeat} times`);
    const bb = await repeated(() => bullmqSpread(s, bare, burst, 0));
    await bare.stop();

    log(`Redis memory: ${far} tasks over the next year`);
    const mem = await farFutureMemory(s, far);
    let sitrep: number | undefined;
    try {
      // bench/sitrep.ts belongs to the ops work; included when it exists.
      const mod = (await import("./sitrep.js" as string)) as {
        benchSitrep?: () => Promise<{ sitrep_ms_1m_tasks: number }>;
      };
      if (mod.benchSitrep) sitrep = (await mod.benchSitrep()).sitrep_ms_1m_tasks;
    } catch (err) {
      if ((err as { code?: string }).code !== "ERR_MODULE_NOT_FOUND")
        log(`sitrep bench failed: ${(err as Error).message}`);
    }

    // Medians over the repeats; every run is printed too.
    const hRuns = hb.map((r) => burstSeconds(r, burst));
    const bRuns = bb.map((r) => burstSeconds(r, burst));
    const hBurst = pct(hRuns, 0.5);
    const bBurst = pct(bRuns, 0.5);
    const runs = (xs: number[]) => xs.map((x) => round(x, 2)).join(" ");
    const row = (name: string, h: string | number, b: string | number) =>
      console.log(`${name.padEnd(34)}${String(h).padStart(16)}${String(b).padStart(16)}`);
    console.log(`\n${"".padEnd(34)}${"Herald".padStart(16)}${"bare BullMQ".padStart(16)}`);
    row(`lateness p50, ${tasks} over ${spreadMs / 1000}s (ms)`, pct(hs.lateness, 0.5), pct(bs.lateness, 0.5));
    row("lateness p99 (ms)", pct(hs.lateness, 0.99), pct(bs.lateness, 0.99));
    row("lateness max (ms)", Math.max(...hs.lateness), Math.max(...bs.lateness));
    row("fired / delivered", `${hs.lateness.length}/${hs.done}`, bs.done);
    row(
      `burst of ${burst}: due to all fired (s)`,
      round(
        pct(
          hb.map((r) => firedSeconds(r, burst)),
          0.5,
        ),
        2,
      ),
      round(bBurst, 2),
    );
    row(`  due to all delivered (s), median`, round(hBurst, 2), round(bBurst, 2));
    row(`  each of ${repeat} runs (s)`, runs(hRuns), runs(bRuns));
    row("throughput (/s), median", Math.round(burst / hBurst), Math.round(burst / bBurst));
    row("worker RSS peak (MB)", round(rss), "");
    row(`Redis, ${far} tasks over a year (MB)`, `${round(mem.deltaMb, 2)}`, "");
    row("  of which under the bench prefix", round(mem.prefixKeysMb, 2), "");
    row("  timers set (in horizon)", mem.timers, "");
    row("  horizon pass over them (ms)", mem.scheduleMs, "");
    if (sitrep !== undefined) row(`sitrep with ${far} tasks (ms)`, sitrep, "");
    if (flags.json) {
      console.log(
        JSON.stringify({
          lateness_p50_ms: pct(hs.lateness, 0.5),
          lateness_p99_ms: pct(hs.lateness, 0.99),
          burst_10k_seconds: round(hBurst, 3),
          throughput_per_s: Math.round(burst / hBurst),
          bullmq_throughput_per_s: Math.round(burst / bBurst),
          redis_mb_1m_tasks: round(mem.deltaMb, 2),
          worker_rss_mb: round(rss),
          ...(sitrep !== undefined ? { sitrep_ms_1m_tasks: sitrep } : {}),
        }),
      );
    }
  } finally {
    for (const w of workers) await w.stop().catch(() => {});
    await dropScratch(s);
  }
}

await main();
process.exit(0);
