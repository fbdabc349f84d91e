import { setPriority, userInfo } from "node:os";
import { runConsole } from "../../bot/index.js";
import { configuredChannels } from "../../channels/index.js";
import { type Config, ConfigError, loadConfig } from "../../config/index.js";
import { connectDatabase, ensureDatabase, migrate } from "../../db/index.js";
import { HeraldError } from "../../errors/index.js";
import { createLogger, type Logger } from "../../log/index.js";
import { takeFailedConsoleDeliveries } from "../../notify/index.js";
import { type Runtime, type RuntimeParts, startRuntime } from "../index.js";

/** Prints what went wrong as one line (no stack trace for problems the user can fix) and exits non-zero. */
export function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof HeraldError) process.stderr.write(`herald: ${err.message}\n`);
  else process.stderr.write(`herald: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

export function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    fail(err);
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function untilSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: string) => {
      logger.info({ signal: sig }, "shutting down: no new jobs; finishing those in flight");
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}

/** `herald start | serve | worker`: run until a signal, then shut down cleanly. */
export async function runServer(parts: RuntimeParts, opts: { console?: boolean } = {}): Promise<void> {
  const cfg = config();
  const interactive =
    opts.console ??
    (Boolean(process.stdin.isTTY) && configuredChannels(cfg).every((c) => c === "console" || c === "email"));
  // In a terminal with the console open, logs would interleave with the chat: keep them to warnings.
  const logger = createLogger({ level: interactive && cfg.LOG_LEVEL === "info" ? "warn" : cfg.LOG_LEVEL });
  if (parts.worker && !parts.http && cfg.WORKER_NICE > 0) {
    // A worker sharing its host yields the CPU to `herald serve` and Postgres: a burst of work then never
    // keeps a webhook's ack waiting. Alone on its host, it changes nothing.
    try {
      setPriority(cfg.WORKER_NICE);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "could not lower the worker's CPU priority (WORKER_NICE)");
    }
  }
  let rt: Runtime;
  try {
    rt = await startRuntime(cfg, logger, parts);
  } catch (err) {
    fail(err);
  }
  logger.info({ worker: parts.worker, http: parts.http, port: rt.port }, "Herald is running");
  if (interactive) {
    const ended = runConsoleFor(rt, consoleUser());
    await Promise.race([ended, untilSignal(logger)]);
  } else {
    await untilSignal(logger);
  }
  await rt.close();
  process.exit(0);
}

/** `herald chat`: the console channel with the engine in-process; exits when input ends. */
export async function runChat(opts: { user?: string; worker: boolean }): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL === "info" ? "warn" : cfg.LOG_LEVEL });
  let rt: Runtime;
  try {
    rt = await startRuntime(cfg, logger, { worker: opts.worker, http: false });
  } catch (err) {
    fail(err);
  }
  await Promise.race([runConsoleFor(rt, opts.user ?? consoleUser()), untilSignal(logger)]);
  await rt.close();
  process.exit(0);
}

function runConsoleFor(rt: Runtime, user: string): Promise<void> {
  // Console reminders that gave up waiting for a session (all retries spent) are shown on the next one.
  const takeMissed = () => takeFailedConsoleDeliveries(rt.db.pool, user);
  return runConsole({
    conversation: rt.conversation,
    subscriber: rt.newRedis(),
    prefix: rt.config.REDIS_PREFIX,
    user,
    input: process.stdin,
    output: process.stdout,
    prompt: Boolean(process.stdin.isTTY),
    takeMissed,
  });
}

export function consoleUser(): string {
  try {
    return userInfo().username || "me";
  } catch {
    return "me";
  }
}

/** `herald migrate`: create the database if needed and apply pending migrations. */
export async function runMigrate(): Promise<void> {
  const cfg = config();
  try {
    await ensureDatabase(cfg.DATABASE_URL);
    const db = await connectDatabase(cfg.DATABASE_URL, { max: 1 });
    const applied = await migrate(db.pool);
    await db.close();
    process.stdout.write(
      applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}\n` : "Database is up to date.\n",
    );
  } catch (err) {
    fail(err);
  }
}
