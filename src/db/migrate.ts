import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { HeraldError } from "../errors/index.js";

/**
 * Applies prisma/migrations/<timestamp>_<name>/migration.sql in order and records each in
 * `_prisma_migrations` exactly as Prisma Migrate does (same table, checksum = sha256 of the file),
 * so `prisma migrate status/deploy` agrees with us for anyone who has Prisma's schema engine.
 * We run our own because that engine is a native binary the CLI downloads, which is not always possible.
 */
export const MIGRATIONS_DIR = findUp("prisma/migrations");

/** `rel` in the nearest directory above this file that has it (this file is in src/db, or dist/src/db compiled). */
function findUp(rel: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, rel))) return `${join(dir, rel)}/`;
  return `${join(here, "../..", rel)}/`;
}

// Prisma Migrate's own advisory lock key, so our runner and `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations on disk, oldest first. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** The tables Herald's migrations create. */
export const HERALD_TABLES = [
  "users",
  "messages",
  "tasks",
  "task_runs",
  "deliveries",
  "audit_log",
  "llm_calls",
  "task_status_counts",
  "ops_hourly",
  "channel_pauses",
  "workers",
] as const;

/**
 * Refuses a database whose tables carry Herald's names without Herald's migration history: another
 * application's `users` or `tasks` must never be altered (or read as ours). Other tables are fine.
 * @throws HeraldError herald_db_not_herald naming the tables found.
 */
async function refuseForeignTables(client: pg.PoolClient, names: string[]): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v') AND c.relname = ANY($1::text[]) ORDER BY 1`,
    [HERALD_TABLES],
  );
  if (rows.length === 0) return;
  const history = await client.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  if (history.rows[0]?.t) {
    const ours = await client.query(
      `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ANY($1::text[]) LIMIT 1`,
      [names],
    );
    if (ours.rowCount) return;
  }
  const db = await client.query<{ name: string }>(`SELECT current_database() AS name`);
  throw new HeraldError(
    "herald_db_not_herald",
    `Database "${db.rows[0]?.name}" already has tables named like Herald's (${rows.map((r) => r.name).join(", ")}) but no Herald migration history, so it belongs to another application; Herald changes nothing there: point DATABASE_URL at a new or a Herald database.`,
    { retryable: false },
  );
}

/**
 * Applies what is not yet applied; returns the names applied now. Safe to run from several processes at
 * once: each step is one transaction holding Prisma Migrate's advisory lock as a transaction lock
 * (pg_advisory_xact_lock), which ends with the transaction. A session lock would not survive a pooler in
 * transaction mode (PgBouncer): its unlock could reach another server connection, leaving it held there.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [PRISMA_ADVISORY_LOCK]);
      const out = await fn();
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
  };
  try {
    const migrations = readMigrations(dir);
    await locked(async () => {
      await refuseForeignTables(
        client,
        migrations.map((m) => m.name),
      );
      await client.query(CREATE_TABLE);
    });
    const applied: string[] = [];
    for (const m of migrations) {
      const done = await locked(async () => {
        const { rows } = await client.query<{ finished_at: Date | null }>(
          `SELECT finished_at FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL`,
          [m.name],
        );
        if (rows[0]?.finished_at) return true;
        if (rows[0])
          throw new Error(
            `migration ${m.name} started earlier but did not finish; repair the database, then mark it rolled back in _prisma_migrations`,
          );
        const id = randomUUID();
        try {
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
            [id, m.checksum, m.name],
          );
          await client.query(m.sql);
          await client.query(
            `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
            [id],
          );
        } catch (err) {
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        return false;
      });
      if (!done) applied.push(m.name);
    }
    return applied;
  } finally {
    client.release();
  }
}

/** Names of migrations on disk that the database has not applied (for /readyz). */
export async function pendingMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const exists = await pool.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
  const names = readMigrations(dir).map((m) => m.name);
  if (!exists.rows[0]?.t) return names;
  const { rows } = await pool.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Set(rows.map((r) => r.migration_name));
  return names.filter((n) => !done.has(n));
}
