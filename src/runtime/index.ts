import { type Interpreter, loadExecutor, loadInterpreter, PgUsageRecorder } from "../ai/index.js";
import { type ChannelDeps, Conversation, Messages, Users } from "../bot/index.js";
import {
  CHANNEL_NAMES,
  channel,
  configuredChannels,
  loadChannels,
  planDeliveries,
  reachOf,
} from "../channels/index.js";
import { type Config, retryPolicy } from "../config/index.js";
import { connectDatabase, type Database, ensureDatabase, migrate, pendingMigrations } from "../db/index.js";
import { HttpServer, send } from "../http/index.js";
import type { Logger } from "../log/index.js";
import { DeliveryQueue, DeliveryWorker, recordProviderStatus, type Sender } from "../notify/index.js";
import type { SlackSettings } from "../notify/slack/index.js";
import {
  createOpsHooks,
  type OpsHooks,
  type SitrepSource,
  type SlackReply,
  sitrepCommand,
  startOps,
  withSitrepExecutor,
} from "../ops/index.js";
import { checkRedis, createRedis, type Redis } from "../redis/index.js";
import { type Executor, FireWorker, Scheduler, TaskService, Timers } from "../tasks/index.js";

/**
 * The composition root: builds every part, hands each the few things it needs, and starts what the
 * process runs. Nothing under src/ imports this module (the import-boundary check holds it so); the CLI
 * (./cli) and the tests do.
 */

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
  users: Users;
  messages: Messages;
  conversation: Conversation;
  scheduler: Scheduler;
  /** What the sitrep and /metrics read. */
  source: SitrepSource;
  /** `/sitrep …` as Slack sends it. */
  sitrepCommand(args: { text: string; channelId: string; userId: string }): Promise<SlackReply>;
  /** Approve / Reject clicked in Slack. */
  approval(args: {
    action: "approve" | "reject";
    taskId: string;
    userId: string;
  }): Promise<{ ok: boolean; text: string }>;
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
    const timers = new Timers(redis, prefix, leadMs);
    const deliveries = new DeliveryQueue(redis, prefix);
    cleanups.push([
      "queues",
      async () => {
        await timers.close();
        await deliveries.close();
      },
    ]);
    const source: SitrepSource = { pool: db.pool, fireQueue: timers.queue, deliverQueue: deliveries.queue };

    const tasks = new TaskService({
      prisma: db.prisma,
      timers,
      horizonMs: config.SCHEDULER_HORIZON_MS,
      maxActiveTasks: config.MAX_ACTIVE_TASKS,
      now: o.now,
    });
    const users = new Users(db.prisma, config.DEFAULT_TIMEZONE);
    const messages = new Messages(db.prisma, db.pool);
    const configured = new Set<string>(configuredChannels(config));
    const conversation = new Conversation({
      tasks,
      users,
      messages,
      interpreter: o.interpreter ?? (await loadInterpreter(config, { logger, usage })),
      logger,
      reach: (user, name) => reachOf(name, user, configured),
    });
    const slack = channel("slack").settings(config) as SlackSettings | null;
    // Alerts go to SLACK_OPS_CHANNEL (or only to the log without Slack); tests may pass their own hooks.
    const monitor = o.ops ? undefined : createOpsHooks({ slack, logger });
    const ops: OpsHooks = o.ops ?? monitor!;
    const scheduler = new Scheduler({
      pool: db.pool,
      timers,
      logger,
      now: o.now,
      horizonMs: config.SCHEDULER_HORIZON_MS,
      onTimersRecreated: (n) => ops.timersRecreated(n),
    });
    const loaded = await loadChannels(config, { inbound: parts.http, outbound: parts.worker });

    if (parts.worker) {
      const senders =
        o.senders ??
        (await Promise.all(
          loaded.flatMap((c) => (c.outbound ? [c.outbound.sender(c.settings, { logger, redis, prefix })] : [])),
        ));
      cleanups.push(["senders", async () => Promise.all(senders.map((s) => s.close?.()))]);
      const deliveryWorker = new DeliveryWorker({
        pool: db.pool,
        redis,
        prefix,
        queue: deliveries,
        concurrency: config.DELIVERY_CONCURRENCY,
        retry: retryPolicy(config, "deliveries"),
        senders,
        logger,
        onDeliveryFailed: (d) => ops.deliveryFailed(d),
        onOptedOut: (userId) => users.optOut(userId),
      });
      cleanups.push(["delivery worker", () => deliveryWorker.close()]);
      const plan = planDeliveries(loaded);
      // Sitrep subscriptions are tasks too: their report goes to their channel through the outbox.
      const executor = withSitrepExecutor(o.executor ?? (await loadExecutor(config, { logger, usage })), source);
      const fire = new FireWorker(
        {
          pool: db.pool,
          connection: newRedis(),
          prefix,
          logger,
          executor,
          outbox: deliveryWorker,
          plan: (run, message) =>
            plan({ channel: run.task.channel, audience: run.task.audience, contact: run.user, ...message }),
          now: o.now,
          concurrency: config.WORKER_CONCURRENCY,
          retry: retryPolicy(config, "runs"),
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
      users,
      messages,
      conversation,
      scheduler,
      source,
      sitrepCommand: (args) =>
        sitrepCommand({ source, tasks, slackUser: (id) => users.findOrCreate({ slackUserId: id }, "slack") }, args),
      approval: async (args) =>
        (await import("../admin/index.js")).approvalFromSlack({ prisma: db.prisma, tasks }, args),
      newRedis,
      close,
    };
    if (monitor && (parts.http || parts.worker)) {
      // Condition checks (no worker, backlog, LLM failing, approvals to post) run in HTTP processes only,
      // so several workers do not each send the same alert.
      const stopOps = startOps({ monitor, source, prisma: db.prisma, logger }, { conditions: parts.http });
      cleanups.push(["ops", stopOps]);
    }
    if (parts.http) {
      const http = new HttpServer(logger);
      mountHealth(http, db, redis);
      const deps: ChannelDeps = {
        conversation,
        users,
        messages,
        tasks,
        logger,
        deliveryStatus: (id, status, from, error) => recordProviderStatus(db.pool, id, status, from, error),
        sitrepCommand: rt.sitrepCommand,
        approval: rt.approval,
      };
      for (const c of loaded) {
        const stopChannel = c.inbound?.mount(http, deps, c.settings);
        if (stopChannel) cleanups.push([`${c.name} channel`, async () => stopChannel()]);
      }
      const [{ createMetrics }, { mountAdmin }] = await Promise.all([
        import("../ops/index.js"),
        import("../admin/index.js"),
      ]);
      const metrics = await createMetrics(source);
      http.route("GET", "/metrics", async (_req, res) =>
        send(res, 200, await metrics.render(), { "content-type": metrics.contentType }),
      );
      mountAdmin(http, {
        prisma: db.prisma,
        tasks,
        source,
        adminToken: config.ADMIN_TOKEN,
        channels: CHANNEL_NAMES,
        logger,
      });
      rt.port = await http.listen(config.PORT);
      rt.http = http;
      cleanups.push(["http", () => http.close()]);
      logger.info({ port: rt.port, channels: configuredChannels(config) }, "HTTP server listening");
    }
    return rt;
  } catch (err) {
    await close();
    throw err;
  }
}

/** /healthz (the process answers) and /readyz (Postgres, Redis and the migrations are in order). */
function mountHealth(http: HttpServer, db: Database, redis: Redis): void {
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
}
