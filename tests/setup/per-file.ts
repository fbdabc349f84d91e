import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { dropDatabase } from "../../src/db/index.js";

/**
 * Each test file gets a database of its own, cloned from the run's migrated template database: a
 * runtime's scheduler arms every due task it can see, so files sharing a database would fire each
 * other's tasks through the wrong senders.
 */
beforeAll(async () => {
  const template = inject("databaseUrl");
  const name = `${new URL(template).pathname.slice(1)}_${randomBytes(4).toString("hex")}`;
  const admin = new URL(template);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${new URL(template).pathname.slice(1)}"`);
        break;
      } catch (err) {
        // 55006: another file is cloning the template at this very moment.
        if ((err as { code?: string }).code !== "55006" || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await client.end();
  }
  const url = new URL(template);
  url.pathname = `/${name}`;
  (globalThis as { __heraldTestDatabaseUrl?: string }).__heraldTestDatabaseUrl = url.toString();
});

/**
 * Drops the file's database once its connections are gone. A pool's end() resolves before its sockets
 * close, and DROP ... WITH (FORCE) would terminate one still closing, whose client then throws the
 * server's "terminating connection" where nothing listens any more: so it waits for them (up to 5 s).
 */
afterAll(async () => {
  const url = (globalThis as { __heraldTestDatabaseUrl?: string }).__heraldTestDatabaseUrl;
  if (!url) return;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (let waited = 0; waited < 5000; waited += 50) {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
        [new URL(url).pathname.slice(1)],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
  await dropDatabase(url);
});
