import type { Config } from "../config/index.js";
import { channelsConfigured } from "../config/index.js";
import { connectDatabase, ensureDatabase, migrate, pendingMigrations, type Database } from "../db/index.js";
import type { Logger } from "../log/index.js";
import { checkRedis, createRedis, type Redis } from "../redis/index.js";
import { loadExecutor, loadInterpreter, PgUsageRecorder, type Interpreter } from "../ai/index.js";
import { Conversation } from "../bot/index.js";
import { DeliveryQueue, DeliveryWorker, type Sender } from "../notify/index.js";
import { configuredSenders } from "../notify/senders.js";
import { mountChannels } from "../bot/channels.js";
// The ops modules a worker needs, by path: ops/index.js also brings the admin pages and metrics, which
// only HTTP processes load (below).
import type { OpsHooks } from "../ops/index.js";
import { createOpsHooks, startOps } from "../ops/monitor.js";
import { createNotifier } from "../ops/notifier.js";
import { sourceOf } from "../ops/sitrep-data.js";
import { withSitrepExecutor } from "../ops/sitrep-executor.js";
import { FireWorker, Scheduler, TaskService, Timers, type Executor } from "../tasks/index.js";
import { HttpServer, send } from "../http/index.js";

export interface RuntimeParts {
  /** Run the fire and delivery workers and the scheduler in this process. */
  worker: boolean;
  /** Serve HTTP on config.PORT. */
  http: boolean;
}

export interface Overrides {
  now?: () => Date;
  interpreter?: Interpreter;
  executor?: Executor;
  senders?: Sender[];
  /** Engine timings (tests shorten them). */
  leadMs?: number;
  lockDurationMs?: number;
  schedulerIntervalMs?: number;
  reconcileEveryMs?: number;
  ops?: OpsHooks;
}

/** Everything a running Herald holds, and one close() that releases it all. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  timers: Timers;
  deliveries: DeliveryQueue;
  tasks: TaskService;
  conversation: Conversation;
  scheduler: Scheduler;
  http?: HttpServer;
  port?: number;
  /** A new Redis connection (for subscribers). */
  newRedis(): Redis;
  close(): Promise<void>;
}

/**
 * Connects (Redis, then Postgres, creating the database and applying migrations), then starts the parts
 * asked for. Each failure to connect is one UnavailableError naming the variable to fix.
 */
export async function startRuntime(
  config: Config,
  logger: Logger,
  parts: RuntimeParts,
  o: Overrides = {},
): Promise<Runtime> {
  const cleanups: [string, () => Promise<unknown>][] = [];
  const close = async () => {
    // Every step runs even if one fails, each within a deadline of its own.
    for (const [name, fn] of cleanups.reverse()) {
      await Promise.race([fn(), new Promise((r) => setTimeout(r, 10_000).unref())]).catch((err) =>
        logger.warn({ step: name, err: (err as Error).message }, "shutdown step failed"),
      );
    }
  };
  try {
    await checkRedis(config.REDIS_URL);
    await ensureDatabase(config.DATABASE_URL);
    // Workers share the pool between fire batches, delivery slots and the scheduler.
    const db = await connectDatabase(config.DATABASE_URL, { max: parts.worker ? 40 : 10 });
    cleanups.push(["postgres", () => db.close()]);
    const applied = await migrate(db.pool);
    if (applied.length) logger.info({ applied }, "applied database migrations");
    const usage = new PgUsageRecorder(db.pool, logger);

    const redis = createRedis(config.REDIS_URL);
    const extra: Redis[] = [];
    cleanups.push([
      "redis",
      async () => {
        redis.disconnect();
        for (const r of extra) r.disconnect();
      },
    ]);
    const newRedis = () => {
      const r = createRedis(config.REDIS_URL);
      extra.push(r);
      return r;
    };
    const prefix = config.REDIS_PREFIX;
    // Timers fire a second early and the worker waits out the rest: measured p50 lateness ~2 ms for 1000
    // tasks due at once, against ~470 ms with a 250 ms lead (see bench).
    const leadMs = o.leadMs ?? 1000;
    const timers = new Timers(redis, prefix, leadMs, config.RUN_ATTEMPTS);
    const deliveries = new DeliveryQueue(redis, prefix, config.DELIVERY_ATTEMPTS);
    cleanups.push([
      "queues",
      async () => {
        await timers.close();
        await deliveries.close();
      },
    ]);

    const tasks = new TaskService({
      prisma: db.prisma,
      timers,
      horizonMs: config.SCHEDULER_HORIZON_MS,
      maxActiveTasks: config.MAX_ACTIVE_TASKS,
      now: o.now,
    });
    const conversation = new Conversation({
      prisma: db.prisma,
      tasks,
      interpreter: o.interpreter ?? (await loadInterpreter(config, { logger, usage })),
      defaultTimezone: config.DEFAULT_TIMEZONE,
      logger,
    });
    // Alerts go to SLACK_OPS_CHANNEL (or only to the log without Slack); tests may pass their own hooks.
    const monitor = o.ops ? undefined : createOpsHooks({ config, logger });
    const ops: OpsHooks = o.ops ?? monitor!;
    const scheduler = new Scheduler({
      pool: db.pool,
      timers,
      logger,
      now: o.now,
      horizonMs: config.SCHEDULER_HORIZON_MS,
      onTimersRecreated: (n) => ops.timersRecreated(n),
    });

    if (parts.worker) {
      const senders = o.senders ?? (await configuredSenders(config, redis, prefix, logger, db.pool));
      const deliveryWorker = new DeliveryWorker({
        pool: db.pool,
        redis,
        prefix,
        queue: deliveries,
        concurrency: config.DELIVERY_CONCURRENCY,
        senders,
        logger,
        onDeliveryFailed: (d) => ops.deliveryFailed(d),
      });
      cleanups.push(["delivery worker", () => deliveryWorker.close()]);
      // Sitrep subscriptions are tasks too: they post the report to their channel instead of messaging the owner.
      const executor = withSitrepExecutor(o.executor ?? (await loadExecutor(config, { logger, usage })), () => ({
        source: sourceOf({ db, timers, deliveries }),
        notifier: createNotifier(config, logger),
      }));
      const fire = new FireWorker(
        {
          pool: db.pool,
          connection: newRedis(),
          prefix,
          logger,
          executor,
          outbox: deliveryWorker,
          now: o.now,
          concurrency: config.WORKER_CONCURRENCY,
          attempts: config.RUN_ATTEMPTS,
          leadMs,
          lockDurationMs: o.lockDurationMs,
          horizonMs: config.SCHEDULER_HORIZON_MS,
          onRunFailed: (run, error) => ops.runFailed({ taskId: run.task.id, runId: run.runId, error }),
        },
        timers,
      );
      cleanups.push(["fire worker", () => fire.close()]);
      const stop = scheduler.loop(o.schedulerIntervalMs ?? 5_000, o.reconcileEveryMs ?? 60_000);
      const stopDeliveryReconcile = setInterval(
        () => void deliveries.reconcile(db.pool, new Date(Date.now() - 60_000)).catch(() => {}),
        60_000,
      );
      cleanups.push([
        "scheduler",
        async () => {
          clearInterval(stopDeliveryReconcile);
          await stop();
        },
      ]);
    }

    const rt: Runtime = {
      config,
      logger,
      db,
      redis,
      timers,
      deliveries,
      tasks,
      conversation,
      scheduler,
      newRedis,
      close,
    };
    if (monitor && (parts.http || parts.worker)) {
      // Condition checks (no worker, backlog, LLM failing, approvals to post) run in HTTP processes only,
      // so several workers do not each send the same alert.
      const stopOps = startOps(rt, { monitor, conditions: parts.http });
      cleanups.push(["ops", stopOps]);
    }
    if (parts.http) {
      const http = new HttpServer(logger);
      http.route("GET", "/healthz", (_req, res) => send(res, 200, { ok: true }));
      http.route("GET", "/readyz", async (_req, res) => {
        const checks = { postgres: false, redis: false, migrations: false };
        try {
          await db.pool.query("SELECT 1");
          checks.postgres = true;
          checks.migrations = (await pendingMigrations(db.pool)).length === 0;
        } catch {
          /* reported below */
        }
        try {
          checks.redis = (await redis.ping()) === "PONG";
        } catch {
          /* reported below */
        }
        const ok = Object.values(checks).every(Boolean);
        send(res, ok ? 200 : 503, { ok, ...checks });
      });
      await mountChannels(http, rt);
      (await import("../ops/index.js")).mountOps(http, rt);
      rt.port = await http.listen(config.PORT);
      rt.http = http;
      cleanups.push(["http", () => http.close()]);
      logger.info({ port: rt.port, channels: channelsConfigured(config) }, "HTTP server listening");
    }
    return rt;
  } catch (err) {
    await close();
    throw err;
  }
}
