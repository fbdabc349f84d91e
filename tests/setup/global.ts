import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { Redis } from "ioredis";
import { connectDatabase, dropDatabase, ensureDatabase, migrate } from "../../src/db/index.js";

/**
 * Each test run gets its own database and Redis key prefix, and drops both afterwards, so runs never
 * collide and leave nothing behind. Servers: TEST_DATABASE_SERVER / TEST_REDIS_URL, else the local defaults.
 */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const server = process.env.TEST_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432";
  const databaseUrl = `${server}/herald_test_${runId}`;
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisPrefix = `herald-test-${runId}`;
  await ensureDatabase(databaseUrl);
  const db = await connectDatabase(databaseUrl, { max: 1 });
  await migrate(db.pool);
  await db.close();
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    // Per-file clones (tests/setup/per-file.ts) and any a test made with this run's name as a prefix.
    const db = await connectDatabase(`${server}/postgres`, { max: 1 });
    const { rows } = await db.pool.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `herald_test_${runId}%`,
    ]);
    await db.close();
    for (const r of rows) await dropDatabase(`${server}/${r.datname}`);
    const redis = new Redis(redisUrl);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}
