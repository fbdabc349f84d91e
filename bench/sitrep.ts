/**
 * Benchmark: the sitrep at 1,000,000 stored tasks.
 *
 *   npx tsx bench/sitrep.ts [--json] [--tasks 1000000]
 *
 * Creates a scratch database next to DATABASE_URL (dropped afterwards), fills it with generate_series
 * (tasks in every status due over the next year, 200k runs and 100k deliveries over the last week, 50k
 * LLM calls), then times 20 sitreps (24h window) after two warm-ups and prints the median.
 * `--json` prints only the JSON line `{"sitrep_ms_1m_tasks": N}`.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { loadConfig } from "../src/config/index.js";
import { connectDatabase, dropDatabase, ensureDatabase, migrate } from "../src/db/index.js";
import { createRedis } from "../src/redis/index.js";
import { loadSitrep } from "../src/ops/sitrep-data.js";
import { percentile } from "../src/ops/sitrep.js";

const FILL_SQL = (tasks: number) => [
  `INSERT INTO users (id, timezone, console_name) VALUES ('00000000-0000-0000-0000-0000000000b1', 'UTC', 'bench')`,
  `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, status, channel, created_at)
   SELECT '00000000-0000-0000-0000-0000000000b1', 'bench task ' || g, 'remind me', t, 'UTC', t,
          (CASE WHEN g % 100 < 90 THEN 'scheduled' WHEN g % 100 < 95 THEN 'completed' WHEN g % 100 < 97 THEN 'paused'
                WHEN g % 100 < 98 THEN 'cancelled' WHEN g % 100 < 99 THEN 'failed' ELSE 'pending_approval' END)::"TaskStatus",
          (ARRAY['console','sms','email','slack'])[1 + g % 4], now() - (g % 1000) * interval '1 minute'
     FROM generate_series(1, ${tasks}) g, LATERAL (SELECT now() + (g::float8 / ${tasks}) * interval '365 days' AS t) x`,
  `INSERT INTO task_runs (task_id, occurrence, status, started_at, late_ms, finished_at, error)
   SELECT id, started, CASE WHEN rn % 50 = 0 THEN 'failed' ELSE 'succeeded' END::"RunStatus", started, (rn * 7919) % 2000, started,
          CASE WHEN rn % 50 = 0 THEN 'executor timed out after 15000 ms' END
     FROM (SELECT id, row_number() OVER () AS rn FROM tasks LIMIT 200000) t, LATERAL (SELECT now() - (rn % 10080) * interval '1 minute' AS started) s`,
  `INSERT INTO deliveries (run_id, task_id, user_id, channel, recipient, body, status, created_at)
   SELECT r.id, r.task_id, '00000000-0000-0000-0000-0000000000b1', 'console', 'bench', 'hi',
          CASE WHEN row_number() OVER () % 40 = 0 THEN 'failed' ELSE 'delivered' END::"DeliveryStatus", r.started_at
     FROM task_runs r LIMIT 100000`,
  `INSERT INTO llm_calls (purpose, model, ok, prompt_tokens, completion_tokens, cost_usd, at)
   SELECT 'execute', 'gpt-4o-mini', g % 30 <> 0, 500, 80, 0.0001, now() - (g % 10080) * interval '1 minute' FROM generate_series(1, 50000) g`,
  `SELECT ops_compact_counts()`,
  `VACUUM ANALYZE`,
];

/** Runs the benchmark; returns the median sitrep time in ms at `tasks` stored tasks. */
export async function benchSitrep(
  opts: { tasks?: number; log?: (line: string) => void } = {},
): Promise<{ sitrep_ms_1m_tasks: number }> {
  const tasks = opts.tasks ?? 1_000_000;
  const log = opts.log ?? (() => {});
  const cfg = loadConfig();
  const url = new URL(cfg.DATABASE_URL);
  url.pathname = `/herald_bench_sitrep_${randomBytes(4).toString("hex")}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const db = await connectDatabase(databaseUrl, { max: 12 });
  const redis = createRedis(cfg.REDIS_URL);
  const prefix = `herald-bench-${randomBytes(4).toString("hex")}`;
  const fireQueue = new Queue("fire", { connection: redis, prefix });
  const deliverQueue = new Queue("deliver", { connection: redis, prefix });
  try {
    await migrate(db.pool);
    const t0 = Date.now();
    for (const sql of FILL_SQL(tasks)) await db.pool.query(sql);
    log(`filled ${tasks.toLocaleString("en-US")} tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const src = { pool: db.pool, fireQueue, deliverQueue };
    for (let i = 0; i < 2; i++) await loadSitrep(src, "24h");
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof loadSitrep>> | undefined;
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      last = await loadSitrep(src, "24h");
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const p50 = Math.round(percentile(times, 50)! * 10) / 10;
    log(
      `sitrep over ${last!.tasks.total.toLocaleString("en-US")} tasks, ${last!.runs.total.toLocaleString("en-US")} runs in 24h: p50 ${p50} ms, p95 ${Math.round(percentile(times, 95)! * 10) / 10} ms (20 runs)`,
    );
    return { sitrep_ms_1m_tasks: p50 };
  } finally {
    await fireQueue.obliterate({ force: true }).catch(() => {});
    await deliverQueue.obliterate({ force: true }).catch(() => {});
    await fireQueue.close();
    await deliverQueue.close();
    redis.disconnect();
    await db.close();
    await dropDatabase(databaseUrl);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes("--json");
  const at = process.argv.indexOf("--tasks");
  const tasks = at > 0 ? Number(process.argv[at + 1]) : undefined;
  const result = await benchSitrep({ tasks, log: json ? undefined : (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
