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
});
