import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { UnavailableError } from "../errors/index.js";

export type Db = PrismaClient;

/** Where a Postgres URL points, without its password: for messages and logs. */
export function describeDatabaseUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

const START_HINT =
  "start it (Debian: sudo pg_ctlcluster 15 main start; Homebrew: brew services start postgresql; or docker compose up -d postgres) or point DATABASE_URL at a running server";

/** Postgres' SQLSTATEs for a refused login: bad password, no such role (or not allowed to log in). */
const LOGIN_REFUSED = new Set(["28P01", "28000"]);

/**
 * Turns a connection failure into one line that names DATABASE_URL, the address, and how to fix it: a
 * refused login says so (the server is up; the user or password is wrong), anything else how to start it.
 */
export function postgresUnavailable(databaseUrl: string, err: unknown): UnavailableError {
  const e = err as { code?: string; message?: string };
  if (e.code && LOGIN_REFUSED.has(e.code)) {
    const user = decodeURIComponent(new URL(databaseUrl).username) || "(none)";
    return new UnavailableError(
      "herald_postgres_login_failed",
      `Postgres at ${describeDatabaseUrl(databaseUrl)} refused the login of user "${user}" (DATABASE_URL): ${e.message}; the server is running: fix the user or password in DATABASE_URL, or create the role`,
      { cause: err },
    );
  }
  const reason = e.code ?? e.message;
  return new UnavailableError(
    "herald_postgres_unavailable",
    `Cannot reach Postgres at ${describeDatabaseUrl(databaseUrl)} (DATABASE_URL): ${reason}; ${START_HINT}`,
    { cause: err },
  );
}

/**
 * Creates the database named in `databaseUrl` when it does not exist, by connecting to the server's
 * `postgres` database. A newcomer's first `herald start` thus needs no manual createdb. The database
 * itself is tried first: behind a pooler (PgBouncer) that lists only Herald's database, `postgres` is
 * never asked for once the database exists.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  const exists = await probe.connect().then(
    () => true,
    (err: { code?: string }) => {
      if (err.code === "3D000") return false; // invalid_catalog_name: no such database yet
      throw postgresUnavailable(databaseUrl, err);
    },
  );
  await probe.end().catch(() => {});
  if (exists) return;
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw postgresUnavailable(databaseUrl, err);
  }
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Drops a database (tests use this to leave nothing behind). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface Database {
  /** The Prisma client, for everything but the hot path. */
  prisma: Db;
  /** The pool Prisma uses too, for batched raw SQL where Prisma's per-row cost matters. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Opens the pool and the Prisma client over it, and checks that the server answers. */
export async function connectDatabase(
  databaseUrl: string,
  opts: { max?: number; min?: number } = {},
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    min: opts.min ?? 0,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  try {
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end().catch(() => {});
    throw postgresUnavailable(databaseUrl, err);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

/**
 * Runs one housekeeping delete in a transaction of its own, marked so the counters' triggers leave the
 * deleted rows counted (see migration 20261203100000_operators): pruning old rows never changes what the
 * sitrep and the charts report. Returns how many rows it deleted.
 */
export async function pruneBatch(pool: pg.Pool, sql: string, params: unknown[]): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    await c.query(`SET LOCAL herald.housekeeping = 'on'`);
    const r = await c.query(sql, params);
    await c.query("COMMIT");
    return r.rowCount ?? 0;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
