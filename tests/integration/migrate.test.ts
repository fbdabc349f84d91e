import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import {
  connectDatabase,
  dropDatabase,
  ensureDatabase,
  migrate,
  pendingMigrations,
  readMigrations,
  type Database,
} from "../../src/db/index.js";
import { unique } from "../helpers/runtime.js";

describe("migrations", () => {
  const url = inject("databaseUrl").replace(/\/[^/]+$/, `/${unique("herald_mig").replace("-", "_")}`);
  let db: Database;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = await connectDatabase(url, { max: 4 });
  });
  afterAll(async () => {
    await db.close();
    await dropDatabase(url);
  });

  it("creates a database that does not exist yet", async () => {
    const { rows } = await db.pool.query("SELECT current_database() AS name");
    expect(url.endsWith(`/${rows[0].name}`)).toBe(true);
  });

  it("applies every migration once and records it as Prisma Migrate does", async () => {
    const onDisk = readMigrations();
    expect(await pendingMigrations(db.pool)).toEqual(onDisk.map((m) => m.name));
    const [first, second] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    expect([...first, ...second].sort()).toEqual(onDisk.map((m) => m.name).sort());
    expect(await migrate(db.pool)).toEqual([]);
    expect(await pendingMigrations(db.pool)).toEqual([]);

    const { rows } = await db.pool.query(
      `SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toHaveLength(onDisk.length);
    for (const [i, m] of onDisk.entries()) {
      const sql = readFileSync(new URL(`../../prisma/migrations/${m.name}/migration.sql`, import.meta.url), "utf8");
      expect(rows[i].migration_name).toBe(m.name);
      expect(rows[i].checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(rows[i].finished_at).toBeInstanceOf(Date);
      expect(rows[i].applied_steps_count).toBe(1);
      expect(rows[i].rolled_back_at).toBeNull();
    }
  });

  it("refuses a database holding tables with Herald's names but no Herald history, and accepts others' tables", async () => {
    const other = url.replace(/\/([^/]+)$/, "/$1_other");
    const mixed = url.replace(/\/([^/]+)$/, "/$1_mixed");
    for (const u of [other, mixed]) await ensureDatabase(u);
    const a = await connectDatabase(other, { max: 1 });
    const b = await connectDatabase(mixed, { max: 1 });
    try {
      await a.pool.query(
        `CREATE TABLE users (id serial PRIMARY KEY, login text); CREATE TABLE tasks (id serial PRIMARY KEY)`,
      );
      await expect(migrate(a.pool)).rejects.toThrow(
        /^Database "[^"]+_other" already has tables named like Herald's \(tasks, users\) but no Herald migration history/,
      );
      const left = await a.pool.query(
        `SELECT to_regclass('"_prisma_migrations"')::text AS t, to_regclass('task_runs')::text AS r`,
      );
      expect(left.rows[0]).toEqual({ t: null, r: null });

      await b.pool.query(`CREATE TABLE invoices (id serial PRIMARY KEY)`);
      expect(await migrate(b.pool)).toEqual(readMigrations().map((m) => m.name));
      expect(await migrate(b.pool)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      for (const u of [other, mixed]) await dropDatabase(u);
    }
  });
});
