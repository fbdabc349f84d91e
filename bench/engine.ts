import { randomBytes } from "node:crypto";
import { connectDatabase, dropDatabase, ensureDatabase, migrate, type Database } from "../src/db/index.js";
import { silentLogger } from "../src/log/index.js";
import { createRedis, eachMaster, type Redis } from "../src/redis/index.js";
import { Scheduler, Timers } from "../src/tasks/index.js";
import type { BenchWorker, WorkerReport } from "./child.js";

/** A database and a Redis prefix of the bench's own, dropped and deleted afterwards. */
export interface Scratch {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  db: Database;
  redis: Redis;
  userIds: string[];
}

export async function createScratch(server: string, redisUrl: string): Promise<Scratch> {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const databaseUrl = `${server}/herald_bench_${id}`;
  await ensureDatabase(databaseUrl);
  const db = await connectDatabase(databaseUrl, { max: 8 });
  await migrate(db.pool);
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO users (timezone, console_name) SELECT 'UTC', 'bench-' || g FROM generate_series(1, 1000) g RETURNING id`,
  );
  const redis = createRedis(redisUrl);
  await redis.connect();
  return { databaseUrl, redisUrl, prefix: `herald-bench-${id}`, db, redis, userIds: rows.map((r) => r.id) };
}

/** Drops the database and deletes every key under the prefix (never FLUSHALL: the Redis is shared). */
export async function dropScratch(s: Scratch): Promise<void> {
  await s.db.close().catch(() => {});
  await dropDatabase(s.databaseUrl).catch((err) =>
    console.error(`could not drop ${s.databaseUrl}: ${(err as Error).message}`),
  );
  await deletePrefix(s.redis, s.prefix);
  s.redis.disconnect();
}

/** Deletes every key under `prefix`, master by master on a cluster (SCAN sees one node's keys). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  await eachMaster(redis, async (node) => {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix.replace(/[{}[\]*?]/g, "\\$&")}*`, "COUNT", 1000);
      for (const k of keys) await node.del(k);
      cursor = next;
    } while (cursor !== "0");
  });
}

/**
 * Exactly once, from Postgres: of the tasks due at `due`, how many ran (runs, and distinct tasks among
 * them) and how many messages were delivered (and to distinct tasks).
 */
export async function onceCheck(
  s: Scratch,
  due: number,
): Promise<{ tasks: number; runs: number; ranTasks: number; delivered: number; deliveredTasks: number }> {
  const { rows } = await s.db.pool.query(
    `SELECT (SELECT count(*) FROM tasks WHERE run_at = $1)::int AS tasks,
            count(r.id)::int AS runs, count(DISTINCT r.task_id)::int AS "ranTasks",
            (SELECT count(*) FROM deliveries d JOIN tasks t ON t.id = d.task_id WHERE t.run_at = $1 AND d.status = 'delivered')::int AS delivered,
            (SELECT count(DISTINCT d.task_id) FROM deliveries d JOIN tasks t ON t.id = d.task_id WHERE t.run_at = $1 AND d.status = 'delivered')::int AS "deliveredTasks"
       FROM task_runs r JOIN tasks t ON t.id = r.task_id WHERE t.run_at = $1 AND r.status = 'succeeded'`,
    [new Date(due)],
  );
  return rows[0];
}

/** Inserts `n` scheduled one-off tasks, the i-th due at `first + i * stepMs`, as fast as Postgres takes them. */
export async function insertTasks(s: Scratch, n: number, first: Date, stepMs: number): Promise<void> {
  const chunk = 200_000;
  for (let from = 0; from < n; from += chunk) {
    await s.db.pool.query(
      `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, channel, status)
       SELECT ($1::uuid[])[1 + g % 1000], 'bench', 'bench', x.ts, 'UTC', x.ts, 'console', 'scheduled'
         FROM generate_series($2::int, $3::int) g, LATERAL (SELECT $4::timestamptz + (g * $5::float8) * interval '1 millisecond' AS ts) x`,
      [s.userIds, from, Math.min(n, from + chunk) - 1, first, stepMs],
    );
  }
}

/** Sets timers for everything within the horizon, as the running scheduler would; returns the count and ms taken. */
export async function schedule(s: Scratch, leadMs: number): Promise<{ count: number; ms: number }> {
  const timers = new Timers(s.redis, s.prefix, leadMs);
  const scheduler = new Scheduler({ pool: s.db.pool, timers, logger: silentLogger, horizonMs: 3_600_000 });
  const started = Date.now();
  const count = await scheduler.advanceHorizon();
  const ms = Date.now() - started;
  await timers.close();
  return { count, ms };
}

export interface PhaseResult extends WorkerReport {
  /** The first due instant, epoch ms. */
  due: number;
  scheduleMs: number;
  scheduledLate: boolean;
}

/** `n` tasks due over `spreadMs`, fired by the Herald worker. */
export async function heraldSpread(
  s: Scratch,
  w: BenchWorker,
  n: number,
  spreadMs: number,
  leadMs: number,
): Promise<PhaseResult> {
  const due = Math.round(Date.now() + 8_000 + n / 5);
  await insertTasks(s, n, new Date(due), spreadMs / n);
  const { ms } = await schedule(s, leadMs);
  const scheduledLate = Date.now() > due;
  const r = await w.waitFor(n, due - Date.now() + spreadMs + 90_000);
  await w.report(true);
  return { ...r, due, scheduleMs: ms, scheduledLate };
}

/** `n` tasks due at one instant (stepMs 0). */
export const heraldBurst = (s: Scratch, w: BenchWorker, n: number, leadMs: number) => heraldSpread(s, w, n, 0, leadMs);

/** Redis memory for `n` tasks spread over the next year: only the ones within the horizon get a timer. */
export async function farFutureMemory(
  s: Scratch,
  n: number,
): Promise<{ deltaMb: number; prefixKeysMb: number; timers: number; scheduleMs: number }> {
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await s.redis.info("memory"))![1]);
  const before = await usedMemory();
  await insertTasks(s, n, new Date(Date.now() + 60_000), (365 * 24 * 3600_000) / n);
  const { count, ms } = await schedule(s, 250);
  const after = await usedMemory();
  let bytes = 0;
  let cursor = "0";
  do {
    const [next, keys] = await s.redis.scan(cursor, "MATCH", `${s.prefix}*`, "COUNT", 1000);
    for (const k of keys) bytes += Number(await s.redis.memory("USAGE", k)) || 0;
    cursor = next;
  } while (cursor !== "0");
  return {
    deltaMb: Math.max(0, after - before) / 1048576,
    prefixKeysMb: bytes / 1048576,
    timers: count,
    scheduleMs: ms,
  };
}
