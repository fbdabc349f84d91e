import { type Interpreter, loadExecutor, loadInterpreter, PgUsageRecorder } from "../ai/index.js";
import { type ChannelDeps, Conversation, InboxHandoff, Messages, pruneMessages, Users } from "../bot/index.js";
import {
  CHANNEL_NAMES,
  channel,
  configuredChannels,
  loadChannels,
  planDeliveries,
  reachOf,
} from "../channels/index.js";
import { MicroBatcher } from "../batch/index.js";
import { type Config, retryPolicy } from "../config/index.js";
import { connectDatabase, type Database, ensureDatabase, migrate, pendingMigrations } from "../db/index.js";
import { bearerToken, HttpServer, safeEqual, send } from "../http/index.js";
import type { Logger } from "../log/index.js";
import {
  DeliveryQueue,
  DeliveryWorker,
  insertNotice,
  insertReply,
  pauseChannel,
  pausedChannels,
  pruneDeliveries,
  resendDeliveries,
  resumeChannel,
  recordProviderStatus,
  type Sender,
} from "../notify/index.js";
import type { SlackSettings } from "../notify/slack/index.js";
import {
  createOpsHooks,
  type OpsHooks,
  type SitrepSource,
  type SlackReply,
  sitrepCommand as sitrepCommandOf,
  startOps,
  pruneWorkers,
  startHousekeeping,
  startWorkerBeat,
  withSitrepExecutor,
} from "../ops/index.js";
import { checkRedis, clusterTarget, createRedis, keyPrefix, type Redis, watchRedis } from "../redis/index.js";
import {
  type Executor,
  FireWorker,
  pruneAudit,
  pruneRuns,
  runDelivered,
  runUndelivered,
  Scheduler,
  type Task,
  TaskService,
  Timers,
} from "../tasks/index.js";

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
  /** Engine timings (tests shorten them); each but leadMs defaults to its variable (LEASE_MS, SCHEDULER_INTERVAL_MS, RECONCILE_INTERVAL_MS). */
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
  /** The delivery worker, in processes that run workers. */
  outbox?: DeliveryWorker;
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
  /** Tells a task's owner something on its channel, through the outbox (an approval decided). */
  tellOwner?: (task: Task, text: string) => Promise<void>;
  /** Re-send of failed deliveries and channel pauses, for the admin surfaces. */
  deliveryControl: import("../admin/index.js").DeliveryControl;
  http?: HttpServer;
  port?: number;
  /** The port of /metrics of its own (METRICS_PORT). */
  metricsPort?: number;
  /** A new Redis connection (for subscribers). */
  newRedis(): Redis;
  close(): Promise<void>;
}

/** Postgres connections of a worker process, and of an HTTP-only one (kept open: a burst of webhooks after a quiet spell finds them connected). */
const WORKER_POOL = 40;
const HTTP_POOL = 10;

/**
 * Connects (Redis, then Postgres, creating the database and applying migrations), then starts the parts
 * asked for. Each failure to connect is one UnavailableError naming the variable to fix.
 */
export async function startRuntime(
  given: Config,
  logger: Logger,
  parts: RuntimeParts,
  o: Overrides = {},
): Promise<Runtime> {
  // One Redis server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES), where the prefix must be hash-tagged.
  const redisTarget = given.REDIS_CLUSTER_NODES ? clusterTarget(given.REDIS_CLUSTER_NODES) : given.REDIS_URL;
  const config: Config = { ...given, REDIS_PREFIX: keyPrefix(redisTarget, given.REDIS_PREFIX) };
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
    await checkRedis(redisTarget);
    await ensureDatabase(config.DATABASE_URL);
    // Workers share the pool between fire batches, delivery slots and the scheduler.
    const db = await connectDatabase(
      config.DATABASE_URL,
      parts.worker ? { max: WORKER_POOL } : { max: HTTP_POOL, min: HTTP_POOL },
    );
    cleanups.push(["postgres", () => db.close()]);
    const applied = await migrate(db.pool);
    if (applied.length) logger.info({ applied }, "applied database migrations");
    const usage = new PgUsageRecorder(db.pool, logger);

    const redis = createRedis(redisTarget);
    const extra: Redis[] = [];
    cleanups.push([
      "redis",
      async () => {
        redis.disconnect();
        for (const r of extra) r.disconnect();
      },
    ]);
    const newRedis = () => {
      const r = createRedis(redisTarget);
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
    // Processes that serve /metrics count what they do; a worker-only process does with METRICS_PORT.
    let metricsPort: number | undefined;
    const metrics =
      parts.http || (parts.worker && config.METRICS_PORT !== undefined)
        ? await (await import("../ops/index.js")).createMetrics(parts.http ? source : null)
        : null;
    if (metrics && config.METRICS_PORT !== undefined) {
      const server = new HttpServer(logger);
      // A worker has no other HTTP: its healthcheck (Dockerfile) asks this port.
      server.route("GET", "/healthz", (_req, res) => send(res, 200, { ok: true }));
      mountMetrics(server, metrics, config.METRICS_TOKEN);
      metricsPort = await server.listen(config.METRICS_PORT, "0.0.0.0", "METRICS_PORT");
      cleanups.push(["metrics server", () => server.close()]);
      logger.info({ port: metricsPort }, "metrics listening");
    }

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
    const interpreter = o.interpreter ?? (await loadInterpreter(config, { logger, usage }));
    if (parts.http) {
      // Loaded and connected before the first webhook, not while the acks of a burst wait behind it.
      await interpreter.warm?.();
      await Promise.all(Array.from({ length: HTTP_POOL }, () => db.pool.query("SELECT 1")));
    }
    const conversation = new Conversation({
      prisma: db.prisma,
      tasks,
      users,
      messages,
      interpreter,
      logger,
      reach: (user, name) => reachOf(name, user, configured),
    });
    const slack = channel("slack").settings(config) as SlackSettings | null;
    // Alerts go to SLACK_OPS_CHANNEL (or only to the log without Slack); tests may pass their own hooks.
    const monitor = o.ops ? undefined : createOpsHooks({ slack, logger });
    const ops: OpsHooks = o.ops ?? monitor!;
    // One lease for runs and deliveries: how long a silent worker keeps its work before another takes it over.
    const leaseMs = o.lockDurationMs ?? config.LEASE_MS;
    const scheduler = new Scheduler({
      pool: db.pool,
      timers,
      logger,
      now: o.now,
      horizonMs: config.SCHEDULER_HORIZON_MS,
      stuckAfterMs: leaseMs,
      onTimersRecreated: (n) => ops.timersRecreated(n),
    });
    const loaded = await loadChannels(config, parts);
    const plans = planDeliveries(loaded);
    /** Tells a task's owner something on the task's channel, through the outbox (queued for the workers). */
    const tellOwner = async (task: Task, text: string) => {
      const user = await users.get(task.userId);
      if (!user) return;
      for (const item of plans({ channel: task.channel, audience: null, contact: user, body: text })) {
        const id = await insertNotice(db.pool, { taskId: task.id, userId: task.userId, ...item });
        await deliveries.enqueue([id]);
      }
    };
    const sitrepCommand: Runtime["sitrepCommand"] = (args) =>
      sitrepCommandOf({ source, tasks, slackUser: (id) => users.findOrCreate({ slackUserId: id }, "slack") }, args);
    const approval: Runtime["approval"] = async (args) =>
      (await import("../admin/index.js")).approvalFromSlack({ prisma: db.prisma, tasks, tellOwner }, args);
    // Inbound messages stored by the HTTP process and handled by the workers.
    const handoff = new InboxHandoff({ redis, prefix, logger, newConnection: newRedis });
    cleanups.push(["inbox hand-off", () => handoff.close()]);
    const deps: ChannelDeps = {
      conversation,
      users,
      messages,
      tasks,
      logger,
      replies: {
        // Written once per inbound message; a reply to send is queued for the workers (this process may
        // be `herald serve`, which sends nothing), and the outbox sweep finds it should Redis refuse.
        reply: async (item, inline) => {
          const row = await insertReply(db.pool, item, inline);
          if (row.status === "pending")
            await deliveries
              .enqueue([row.id])
              .catch((err: Error) => logger.warn({ err: err.message }, "could not queue a reply; the sweep will"));
          return row.written;
        },
      },
      deliveryStatus: async (id, status, from, error, deliveryId) => {
        const found = await recordProviderStatus(db.pool, id, status, from, error, deliveryId);
        if (found && (status === "undelivered" || status === "failed")) {
          // The carrier could not deliver it: as much a failure as a send that failed.
          const why = error ?? `the carrier reported it ${status}`;
          metrics?.process.delivery(status, found.channel);
          ops.deliveryFailed({ id: found.id, channel: found.channel, error: why });
          await runUndelivered(db.pool, found.id, why).catch(() => {});
        }
        return found;
      },
      sitrepCommand,
      approval,
      inbox: handoff,
    };
    let outbox: DeliveryWorker | undefined;

    if (parts.worker) {
      const senders =
        o.senders ??
        (await Promise.all(
          loaded.flatMap((c) => (c.outbound ? [c.outbound.sender(c.settings, { logger, redis, prefix })] : [])),
        ));
      cleanups.push(["senders", async () => Promise.all(senders.map((s) => s.close?.()))]);
      // Many re-sent messages per statement (see runDelivered).
      const delivered = new MicroBatcher<string, undefined>(
        async (ids) => {
          await runDelivered(db.pool, ids);
          return ids.map(() => undefined);
        },
        { windowMs: 20, maxBatch: 2000, maxInFlight: 2 },
      );
      const deliveryWorker = new DeliveryWorker({
        pool: db.pool,
        redis,
        prefix,
        queue: deliveries,
        concurrency: config.DELIVERY_CONCURRENCY,
        leaseMs,
        retry: retryPolicy(config, "deliveries"),
        senders,
        logger,
        lateCutoffMs: config.LATE_CUTOFF_MS,
        onDeliveryFailed: (d) => {
          metrics?.process.delivery("failed", d.channel);
          ops.deliveryFailed(d);
          // Success means delivered: a run whose messages all failed is failed (src/tasks decides).
          void runUndelivered(db.pool, d.id, d.error).catch(() => {});
        },
        onDeliverySent: (d) => {
          metrics?.process.delivery(d.status, d.channel);
          if (d.blind) metrics?.process.blindResend(d.channel);
          // Only a re-send of a failed message can find its run failed by it (see runDelivered).
          if (d.resent) void delivered.add(d.id).catch(() => {});
        },
        onDeliveryHeld: (d) => metrics?.process.delivery("held", d.channel),
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
          lockDurationMs: leaseMs,
          lateCutoffMs: config.LATE_CUTOFF_MS,
          horizonMs: config.SCHEDULER_HORIZON_MS,
          onRunFailed: (run, error) => ops.runFailed({ taskId: run.task.id, runId: run.runId, error }),
          onRunEnded: metrics ? (r) => metrics.process.runEnded(r) : undefined,
        },
        timers,
      );
      cleanups.push(["fire worker", () => fire.close()]);
      cleanups.push([
        "worker heartbeat",
        startWorkerBeat({ pool: db.pool, roles: ["fire", "deliver", "scheduler"], stats: () => fire.stats() }),
      ]);
      const pool = db.pool;
      cleanups.push([
        "housekeeping",
        startHousekeeping({
          pool,
          logger,
          retentionMs: config.RETENTION_DAYS * 86_400_000,
          batch: config.HOUSEKEEPING_BATCH,
          everyMs: config.HOUSEKEEPING_INTERVAL_MS,
          steps: housekeepingSteps(pool),
        }),
      ]);
      const loop = scheduler.loop(
        o.schedulerIntervalMs ?? config.SCHEDULER_INTERVAL_MS,
        o.reconcileEveryMs ?? config.RECONCILE_INTERVAL_MS,
      );
      // A flush or an empty restart loses every timer and queued delivery: re-arm now, not at the next reconcile.
      const watch = watchRedis(redis, prefix, {
        everyMs: config.REDIS_CHECK_MS,
        onLoss: () => {
          logger.warn("Redis lost Herald's data (flushed, or restarted empty): re-arming timers and deliveries now");
          void loop.reconcileNow();
          void deliveryWorker
            .afterRedisLoss()
            .catch((err: Error) =>
              logger.warn({ err: err.message }, "re-queueing deliveries after a Redis loss failed"),
            );
        },
      });
      cleanups.push([
        "scheduler",
        async () => {
          watch.stop();
          await loop.stop();
        },
      ]);
      for (const c of loaded) {
        const stopWork = c.inbound?.work?.(deps, c.settings);
        if (stopWork) cleanups.push([`${c.name} inbox`, async () => stopWork()]);
      }
      outbox = deliveryWorker;
    }

    const outboxControl = {
      resend: async (f: Parameters<typeof resendDeliveries>[1]) => {
        const ids = await resendDeliveries(db.pool, f);
        await deliveries.requeue(ids);
        return ids.length;
      },
      pause: (channel: string, by: string, reason: string | null) => pauseChannel(db.pool, channel, by, reason),
      resume: async (channel: string) => {
        const ids = await resumeChannel(db.pool, channel);
        await deliveries.requeue(ids);
        return ids.length;
      },
      paused: () => pausedChannels(db.pool),
    };
    const rt: Runtime = {
      config,
      logger,
      db,
      redis,
      timers,
      deliveries,
      outbox,
      tasks,
      users,
      messages,
      conversation,
      scheduler,
      source,
      metricsPort,
      sitrepCommand,
      approval,
      tellOwner,
      deliveryControl: outboxControl,
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
      if (metrics) http.onResponse((r) => metrics.process.response(r));
      mountHealth(http, db, redis);
      for (const c of loaded) {
        const stopChannel = c.inbound?.mount(http, deps, c.settings);
        if (stopChannel) cleanups.push([`${c.name} channel`, async () => stopChannel()]);
      }
      const [{ mountAdmin }, { mountMcp }] = await Promise.all([
        import("../admin/index.js"),
        import("../mcp/index.js"),
      ]);
      if (metrics && config.METRICS_PORT === undefined)
        mountMetrics(http, metrics, config.METRICS_TOKEN ?? config.ADMIN_TOKEN, "METRICS_TOKEN (or ADMIN_TOKEN)");
      // The admin page and API and the MCP tools act through the same functions, as who authenticated.
      const adminDeps = {
        prisma: db.prisma,
        tasks,
        tellOwner,
        outbox: outboxControl,
        source,
        adminToken: config.ADMIN_TOKEN,
        adminTokens: config.ADMIN_TOKENS,
        channels: CHANNEL_NAMES,
        logger,
      };
      mountAdmin(http, adminDeps);
      mountMcp(http, adminDeps);
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

/** What housekeeping prunes, each table by its owner; runs take their deliveries with them. */
export function housekeepingSteps(pool: Database["pool"]) {
  return [
    { name: "deliveries", prune: (before: Date, n: number) => pruneDeliveries(pool, before, n) },
    { name: "runs", prune: (before: Date, n: number) => pruneRuns(pool, before, n) },
    { name: "messages", prune: (before: Date, n: number) => pruneMessages(pool, before, n) },
    { name: "audit", prune: (before: Date, n: number) => pruneAudit(pool, before, n) },
    { name: "workers", prune: (before: Date, n: number) => pruneWorkers(pool, before, n), retentionMs: 86_400_000 },
  ];
}

/**
 * GET /metrics, behind `token` as a bearer token when one is given; on the main port (`required` names
 * the variable) it is never open: without a token it says how to get one.
 */
function mountMetrics(
  http: HttpServer,
  metrics: Awaited<ReturnType<typeof import("../ops/index.js").createMetrics>>,
  token: string | undefined,
  required?: string,
): void {
  http.route("GET", "/metrics", async (req, res) => {
    if (!token && required)
      return send(
        res,
        503,
        `/metrics needs a token: set ${required}, or METRICS_PORT to serve it on a port of its own\n`,
      );
    if (token) {
      if (!safeEqual(bearerToken(req.headers.authorization) ?? "", token))
        return send(res, 401, "send Authorization: Bearer <METRICS_TOKEN>\n", { "www-authenticate": "Bearer" });
    }
    send(res, 200, await metrics.render(), { "content-type": metrics.contentType });
  });
}
