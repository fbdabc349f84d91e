/**
 * Servers of a test's own, for tests that flush, stop or restart them: the shared Redis and Postgres are
 * used by other test runs at the same time, so a fault test never touches them.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";

const run = promisify(execFile);

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server of the test's own, without persistence, so a restart comes back empty. */
export class OwnRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.startServer();
    return r;
  }

  /** Starts the server (again) on the same port. */
  async startServer(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    this.child = spawn("redis-server", args, { stdio: "ignore" });
    await until(
      `redis-server on port ${this.port}`,
      () => this.command((c) => c.ping()).then((p) => p === "PONG"),
      10_000,
    );
  }

  /** Runs one command on a connection of its own. */
  async command<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => {});
    try {
      await c.connect();
      return await fn(c);
    } finally {
      c.disconnect();
    }
  }

  /** SHUTDOWN NOSAVE: the server exits, taking every key with it. */
  async shutdown(): Promise<void> {
    const child = this.child;
    this.child = null;
    const exited = child && child.exitCode === null ? new Promise((r) => child.once("exit", r)) : Promise.resolve();
    await this.command((c) => c.call("SHUTDOWN", "NOSAVE")).catch(() => {});
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
}

const PG_BIN = process.env.TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * A Postgres cluster of the test's own (initdb in a temp dir, pg_ctl on a free port), to stop and start at
 * will. initdb refuses to run as root: as root (CI containers) the cluster belongs to the postgres OS
 * user; as anyone else, to the current user.
 */
export class OwnPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The server's URL for `database`. */
  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private static asOwner(cmd: string, args: string[]) {
    return process.getuid?.() === 0 ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args);
  }

  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), "herald-pg-"));
    if (process.getuid?.() === 0) {
      const { stdout } = await run("id", ["-u", "postgres"]);
      const { stdout: gid } = await run("id", ["-g", "postgres"]);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(dir, 0o700);
    const p = new OwnPostgres(dir, await freePort());
    await OwnPostgres.asOwner(join(PG_BIN, "initdb"), [
      "-D",
      join(dir, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    await p.startServer();
    return p;
  }

  async startServer(): Promise<void> {
    // fsync off and a small shared_buffers: a throwaway cluster on a loaded machine, nothing to keep.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=100`;
    await OwnPostgres.asOwner(join(PG_BIN, "pg_ctl"), [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "log"),
      "-o",
      opts,
      "-w",
      "-t",
      "30",
      "start",
    ]);
    await until(
      `postgres on port ${this.port}`,
      async () => {
        const c = new pg.Client({ connectionString: this.url("postgres") });
        await c.connect();
        await c.end();
        return true;
      },
      15_000,
    );
  }

  /** Stops the server at once (pg_ctl -m immediate): every connection is cut. */
  async stopServer(): Promise<void> {
    await OwnPostgres.asOwner(join(PG_BIN, "pg_ctl"), ["-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]);
  }

  /** Stops the server if it runs and removes the cluster. */
  async destroy(): Promise<void> {
    await this.stopServer().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
