import { Cluster, Redis } from "ioredis";
import { UnavailableError } from "../errors/index.js";

export type { Redis };

/**
 * Where Redis is: a URL (one server), or the seed nodes of a Redis Cluster, "redis-cluster://host:port,host:port"
 * (REDIS_CLUSTER_NODES; ioredis learns the rest of the cluster from them).
 */
const CLUSTER = "redis-cluster://";
const clusterNodes = (target: string) =>
  target.startsWith(CLUSTER)
    ? target
        .slice(CLUSTER.length)
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => {
          const [host, port] = n.split(":");
          return { host: host!, port: Number(port || 6379) };
        })
    : null;

/** Whether this target is a Redis Cluster. */
export const isCluster = (target: string) => target.startsWith(CLUSTER);

/** The target for a cluster of these seed nodes ("host:port,host:port"). */
export const clusterTarget = (nodes: string) => `${CLUSTER}${nodes}`;

/**
 * The key prefix to use on this target. BullMQ's scripts touch several keys of a queue at once, which a
 * cluster allows only within one hash slot: on a cluster the prefix is hash-tagged ("{herald}"), so every
 * Herald key of a deployment lands in one slot. (A cluster then spreads several deployments, not one.)
 */
export function keyPrefix(target: string, prefix: string): string {
  return isCluster(target) && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
}

/**
 * Calls `fn` with every master's connection, one server's connection standing for itself: SCAN and
 * other commands that enumerate keys see only the node they are sent to on a cluster.
 */
export async function eachMaster(redis: Redis, fn: (node: Redis) => Promise<void>): Promise<void> {
  const r = redis as unknown as Redis | Cluster;
  if (r instanceof Cluster) for (const node of r.nodes("master")) await fn(node);
  else await fn(r);
}

const START_HINT =
  "start it (Debian: sudo systemctl start redis-server or redis-server --daemonize yes; Homebrew: brew services start redis; or docker compose up -d redis) or point REDIS_URL at a running server";

/** Where a Redis URL points, without its password. */
export function describeRedisUrl(redisUrl: string): string {
  if (isCluster(redisUrl)) return `the cluster at ${redisUrl.slice(CLUSTER.length)}`;
  const u = new URL(redisUrl);
  return `${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== "/" ? u.pathname : ""}`;
}

/**
 * A connection for BullMQ (maxRetriesPerRequest null, as BullMQ requires for blocking commands).
 * Lazy: call checkRedis() first to fail fast with one clear line.
 */
export function createRedis(redisUrl: string): Redis {
  const nodes = clusterNodes(redisUrl);
  const options = { maxRetriesPerRequest: null, lazyConnect: true, enableReadyCheck: true };
  // A Cluster answers the commands Herald and BullMQ use as one server does (BullMQ takes either).
  const redis = nodes
    ? (new Cluster(nodes, { lazyConnect: true, enableReadyCheck: true, redisOptions: options }) as unknown as Redis)
    : new Redis(redisUrl, options);
  // Connection errors are reported by checkRedis and by the workers; without a listener ioredis prints them all.
  redis.on("error", () => {});
  return redis;
}

/**
 * Pings Redis and refuses an eviction policy that could drop keys: BullMQ only warns, and an evicted
 * timer is a reminder silently lost.
 */
export async function checkRedis(redisUrl: string): Promise<void> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null };
  const nodes = clusterNodes(redisUrl);
  const probe = nodes
    ? (new Cluster(nodes, {
        lazyConnect: true,
        clusterRetryStrategy: () => null,
        redisOptions: options,
      }) as unknown as Redis)
    : new Redis(redisUrl, options);
  // ioredis rejects with a generic "Connection is closed"; the socket's own error (ECONNREFUSED…) says more.
  let socketError: { code?: string; message?: string } | undefined;
  probe.on("error", (err: { code?: string; message?: string }) => (socketError ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    const cause = socketError ?? (err as { code?: string; message?: string });
    const reason = cause.code ?? cause.message;
    throw new UnavailableError(
      "herald_redis_unavailable",
      `Cannot reach Redis at ${describeRedisUrl(redisUrl)} (${nodes ? "REDIS_CLUSTER_NODES" : "REDIS_URL"}): ${reason}; ${START_HINT}`,
      { cause: err },
    );
  }
  try {
    const policy = await probe
      .config("GET", "maxmemory-policy")
      .then((r) => (r as string[])[1])
      .catch(() => undefined);
    if (policy && policy !== "noeviction") {
      throw new UnavailableError(
        "herald_redis_eviction",
        `Redis at ${describeRedisUrl(redisUrl)} (REDIS_URL) has maxmemory-policy ${policy}, which can evict Herald's timers; set it to noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)`,
      );
    }
  } finally {
    probe.disconnect();
  }
}

/** The key whose absence says Redis lost Herald's data (FLUSHALL, or a restart without persistence). */
export const markerKey = (prefix: string) => `${prefix}:herald:marker`;

export interface RedisWatch {
  /** Stops watching. */
  stop(): void;
}

/**
 * Watches for Redis losing Herald's data: a flush or an empty restart removes the marker key, which this
 * checks every `everyMs` and at once on every reconnect. It re-creates the key on first sight (SET NX), so of
 * several processes watching one Redis, the first to notice reports the loss; the others see the key back.
 * `onLoss` is told once per loss noticed; the first check at start only creates the key (starting
 * processes reconcile anyway).
 */
export function watchRedis(
  redis: Redis,
  prefix: string,
  o: { everyMs: number; onLoss: () => void; onError?: (err: Error) => void },
): RedisWatch {
  let started = false;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const created = await redis.set(markerKey(prefix), String(Date.now()), "NX");
      if (created === "OK" && started) o.onLoss();
      started = true;
    } catch (err) {
      o.onError?.(err as Error);
    } finally {
      checking = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), o.everyMs);
  timer.unref();
  const onReady = () => void check();
  redis.on("ready", onReady);
  return {
    stop() {
      clearInterval(timer);
      redis.off("ready", onReady);
    },
  };
}
