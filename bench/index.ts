/**
 * `npm run bench [-- --json] [-- --quick] [-- --only part,part]`: Herald's engine side by side with bare
 * BullMQ on this machine. Scratch database and Redis prefix, dropped afterwards. The parts (all by default):
 * - spread: firing lateness of `--tasks` due over `--spread-ms`, Herald and bare BullMQ;
 * - burst: `--burst` due at one instant, `--repeat` times each side, the median reported;
 * - big: `--big` (100,000) due at one instant, every one delivered;
 * - statements: Postgres time per task in each hot statement (read, claim with completion, delivery claim and
 *   record), timed one after another in batches of 500 on `--burst` tasks three times: the low-noise figure;
 * - memory: Redis memory with `--far` tasks over the next year; sitrep: the sitrep at a million tasks;
 * - paced: `--burst` messages due at once to slow providers that rate-limit as the real ones do (answers
 *   after 300 ms; one message a second per Slack channel, 100 a second from the Twilio number, as a short
 *   code has; 429 with Retry-After past it): nine in ten to 900 Slack channels, one in ten by SMS;
 * - cluster: three redis-server masters of its own in cluster mode on loopback ports, and a burst of
 *   `--burst` against them, checked exactly once in Postgres (every task fired and delivered once).
 * - inbound: `herald serve` and two `herald worker` processes, 250 signed Twilio webhooks a second for 2 s
 *   (each its own number and MessageSid): the ack p50 and p99, and every message answered once (TwiML or REST).
 * Flags: --tasks N (100000) --spread-ms N (60000) --burst N (10000) --big N (100000) --far N (1000000)
 * --lead-ms N (1000) --repeat N (3: one burst is noisy on a shared machine) --concurrency N (20: runs
 * executing at once) --worker-flags "..." (node flags for the Herald worker; default: those of
 * `npm run worker` in package.json, as production runs it) --quick (a tenth of each) --json (ends with one
 * JSON line). Every part logs the load average as it starts: the machine may be shared.
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { BenchWorker, type WorkerReport, type WorkerSpec } from "./child.js";
import { startCluster } from "./cluster.js";
import { inboundBench } from "./inbound.js";
import { peakPerSecond, startPacedFakes } from "./paced.js";
import { statementCosts } from "./statements.js";
import {
  createScratch,
  deletePrefix,
  dropScratch,
  farFutureMemory,
  heraldBurst,
  heraldSpread,
  onceCheck,
  type Scratch,
} from "./engine.js";
import { createRedis } from "../src/redis/index.js";
import { bullmqSpread } from "./bullmq.js";

const PARTS = ["spread", "burst", "big", "statements", "memory", "sitrep", "paced", "cluster", "inbound"] as const;
type Part = (typeof PARTS)[number];

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    tasks: { type: "string" },
    "spread-ms": { type: "string", default: "60000" },
    burst: { type: "string" },
    big: { type: "string" },
    far: { type: "string" },
    "lead-ms": { type: "string", default: "1000" },
    concurrency: { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    "worker-flags": { type: "string" },
    "database-server": { type: "string", default: "postgresql://postgres@127.0.0.1:5432" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
  },
});
const scale = flags.quick ? 0.1 : 1;
const tasks = Number(flags.tasks ?? 100_000 * scale);
const spreadMs = Number(flags["spread-ms"]);
const burst = Number(flags.burst ?? 10_000 * scale);
const big = Number(flags.big ?? 100_000 * scale);
const far = Number(flags.far ?? 1_000_000 * scale);
const leadMs = Number(flags["lead-ms"]);
const concurrency = Number(flags.concurrency);
const repeat = Math.max(1, Number(flags.repeat));
const nodeFlags = (flags["worker-flags"] ?? productionWorkerFlags()).split(" ").filter(Boolean);
const only = new Set((flags.only ?? PARTS.join(",")).split(",").map((p) => p.trim()));
for (const p of only)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: no part ${p} (parts: ${PARTS.join(", ")})`);
const wanted = (p: Part) => only.has(p);

/** The node flags of package.json's "worker" script (from bench/ or, compiled, from dist/bench/). */
function productionWorkerFlags(): string {
  const file = [new URL("../package.json", import.meta.url), new URL("../../package.json", import.meta.url)].find((u) =>
    existsSync(u),
  )!;
  const script = (JSON.parse(readFileSync(file, "utf8")) as { scripts: Record<string, string> }).scripts.worker ?? "";
  return (script.match(/--[\w-]+(=\S+)?/g) ?? []).join(" ");
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const load = () => loadavg().map((x) => round(x, 2));
const burstSeconds = (r: WorkerReport & { due: number }, n: number) => (r.done >= n ? (r.lastAt - r.due) / 1000 : NaN);
const firedSeconds = (r: WorkerReport & { due: number }, n: number) =>
  r.fired >= n ? (r.lastFiredAt - r.due) / 1000 : NaN;
/** Runs `once` `repeat` times; returns each run's result. */
async function repeated<T>(once: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < repeat; i++) out.push(await once());
  return out;
}
const loopDelay = (r: WorkerReport) => `${round(r.loopDelay.p99Ms)} / ${round(r.loopDelay.maxMs)}`;
const runs = (xs: number[]) => xs.map((x) => round(x, 2)).join(" ");

/** One part's contribution: table rows (Herald, bare BullMQ) and JSON keys. */
interface Result {
  rows: [string, string | number, string | number][];
  json: Record<string, number>;
}
const part = (name: Part, body: () => Promise<Result>) => async (): Promise<Result> => {
  if (!wanted(name)) return { rows: [], json: {} };
  log(`part ${name}, load average ${load().join(" ")}`);
  return body();
};

/** The Herald worker, started on first use and shared by the spread, burst and big parts (its RSS peak spans them). */
class Workers {
  private herald?: BenchWorker;
  constructor(private readonly spec: Omit<WorkerSpec, "mode">) {}
  async heraldWorker(): Promise<BenchWorker> {
    this.herald ??= await BenchWorker.start({ ...this.spec, mode: "herald" });
    return this.herald;
  }
  bullmqWorker(): Promise<BenchWorker> {
    return BenchWorker.start({ ...this.spec, mode: "bullmq", concurrency: 100 });
  }
  async heraldRss(): Promise<number | undefined> {
    return this.herald ? (await this.herald.report()).rssPeakMb : undefined;
  }
  async stop(): Promise<void> {
    await this.herald?.stop().catch(() => {});
  }
}

const spreadPart = (s: Scratch, w: Workers) =>
  part("spread", async () => {
    const herald = await w.heraldWorker();
    log(
      `Herald: ${tasks} tasks due over ${spreadMs / 1000} s (lead ${leadMs} ms, concurrency ${concurrency}, worker flags: ${nodeFlags.join(" ") || "none"})`,
    );
    const hs = await heraldSpread(s, herald, tasks, spreadMs, leadMs);
    if (hs.scheduledLate) log("warning: scheduling finished after the first task was due; lateness includes it");
    const bare = await w.bullmqWorker();
    log(`bare BullMQ: ${tasks} jobs due over ${spreadMs / 1000} s`);
    const bs = await bullmqSpread(s, bare, tasks, spreadMs).finally(() => bare.stop());
    return {
      rows: [
        [`lateness p50, ${tasks} over ${spreadMs / 1000}s (ms)`, pct(hs.lateness, 0.5), pct(bs.lateness, 0.5)],
        ["lateness p99 (ms)", pct(hs.lateness, 0.99), pct(bs.lateness, 0.99)],
        ["lateness max (ms)", Math.max(...hs.lateness), Math.max(...bs.lateness)],
        ["fired / delivered", `${hs.lateness.length}/${hs.done}`, bs.done],
        ["event-loop delay p99 / max (ms)", loopDelay(hs), loopDelay(bs)],
        ["worker RSS peak in this part (MB)", round(hs.phaseRssPeakMb), ""],
      ],
      json: {
        lateness_p50_ms: pct(hs.lateness, 0.5),
        lateness_p99_ms: pct(hs.lateness, 0.99),
        loop_delay_p99_ms: round(hs.loopDelay.p99Ms, 1),
      },
    };
  });

const burstPart = (s: Scratch, w: Workers) =>
  part("burst", async () => {
    const herald = await w.heraldWorker();
    log(`Herald: burst of ${burst} due at one instant, ${repeat} times`);
    const hb = await repeated(() => heraldBurst(s, herald, burst, leadMs));
    const bare = await w.bullmqWorker();
    log(`bare BullMQ: burst of ${burst}, ${repeat} times`);
    const bb = await repeated(() => bullmqSpread(s, bare, burst, 0)).finally(() => bare.stop());
    const hRuns = hb.map((r) => burstSeconds(r, burst));
    const bRuns = bb.map((r) => burstSeconds(r, burst));
    const hBurst = pct(hRuns, 0.5);
    const bBurst = pct(bRuns, 0.5);
    const hFired = pct(
      hb.map((r) => firedSeconds(r, burst)),
      0.5,
    );
    return {
      rows: [
        [`burst of ${burst}: due to all fired (s)`, round(hFired, 2), round(bBurst, 2)],
        [`  due to all delivered (s), median`, round(hBurst, 2), round(bBurst, 2)],
        [`  each of ${repeat} runs (s)`, runs(hRuns), runs(bRuns)],
        ["throughput (/s), median", Math.round(burst / hBurst), Math.round(burst / bBurst)],
        ["  worker RSS peak in this part (MB)", round(Math.max(...hb.map((r) => r.phaseRssPeakMb))), ""],
      ],
      json: {
        burst_10k_seconds: round(hBurst, 3),
        bullmq_burst_10k_seconds: round(bBurst, 3),
        throughput_per_s: Math.round(burst / hBurst),
        bullmq_throughput_per_s: Math.round(burst / bBurst),
      },
    };
  });

const bigPart = (s: Scratch, w: Workers) =>
  part("big", async () => {
    const herald = await w.heraldWorker();
    log(`Herald: burst of ${big} due at one instant`);
    const r = await heraldBurst(s, herald, big, leadMs);
    const seconds = burstSeconds(r, big);
    if (r.done < big) log(`warning: only ${r.done} of ${big} delivered`);
    return {
      rows: [
        [`burst of ${big}: all fired (s)`, round(firedSeconds(r, big), 2), ""],
        [`  all delivered (s)`, round(seconds, 2), ""],
        ["  delivered", `${r.done}/${big}`, ""],
        ["  worker RSS peak in this part (MB)", round(r.phaseRssPeakMb), ""],
      ],
      json: { burst_100k_seconds: round(seconds, 3) },
    };
  });

const statementsPart = (s: Scratch) =>
  part("statements", async () => {
    log(`Postgres time per task in the hot statements: ${burst} tasks, 3 rounds, 500 a statement`);
    const c = await statementCosts(s, burst, 3);
    return {
      rows: [
        ["Postgres per task (us): read / claim+completion", `${c.peek} / ${c.commit}`, ""],
        ["  delivery claim / record / all four", `${c.deliveryClaim} / ${c.deliveryFinish} / ${c.total}`, ""],
      ],
      json: {
        pg_peek_us: c.peek,
        pg_commit_us: c.commit,
        pg_delivery_claim_us: c.deliveryClaim,
        pg_delivery_finish_us: c.deliveryFinish,
        pg_hot_path_us_per_task: c.total,
      },
    };
  });

const memoryPart = (s: Scratch) =>
  part("memory", async () => {
    log(`Redis memory: ${far} tasks over the next year`);
    const mem = await farFutureMemory(s, far);
    return {
      rows: [
        [`Redis, ${far} tasks over a year (MB)`, `${round(mem.deltaMb, 2)}`, ""],
        ["  of which under the bench prefix", round(mem.prefixKeysMb, 2), ""],
        ["  timers set (in horizon)", mem.timers, ""],
        ["  horizon pass over them (ms)", mem.scheduleMs, ""],
      ],
      json: { redis_mb_1m_tasks: round(mem.deltaMb, 2) },
    };
  });

const sitrepPart = () =>
  part("sitrep", async () => {
    const { benchSitrep } = await import("./sitrep.js");
    const ms = (await benchSitrep({ tasks: far })).sitrep_ms_1m_tasks;
    return { rows: [[`sitrep with ${far} tasks (ms)`, ms, ""]], json: { sitrep_ms_1m_tasks: ms } };
  });

/** A burst through Herald's real Slack and Twilio senders, paced to the providers' limits. */
const pacedPart = (s: Scratch) =>
  part("paced", async () => {
    const smsRate = 100;
    const fakes = await startPacedFakes({ latencyMs: 300, slackPerSecond: 1, smsPerSecond: smsRate });
    const slackUsers = Math.round(s.userIds.length * 0.9);
    await s.db.pool.query(
      `UPDATE users u SET slack_user_id = CASE WHEN x.n <= $2 THEN 'CBENCH' || x.n END,
              phone = CASE WHEN x.n > $2 THEN '+1555' || lpad(x.n::text, 7, '0') END
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE id = ANY($1::uuid[])) x WHERE u.id = x.id`,
      [s.userIds, slackUsers],
    );
    const due = Date.now() + 8_000 + burst / 5;
    await s.db.pool.query(
      `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, channel, status)
       SELECT u.id, 'paced', 'paced', $2, 'UTC', $2, CASE WHEN u.slack_user_id IS NOT NULL THEN 'slack' ELSE 'sms' END, 'scheduled'
         FROM generate_series(0, $3::int - 1) g JOIN LATERAL (SELECT * FROM users WHERE id = ($1::uuid[])[1 + g % array_length($1::uuid[], 1)]) u ON true`,
      [s.userIds, new Date(due), burst],
    );
    const worker = await BenchWorker.start({
      databaseUrl: s.databaseUrl,
      redisUrl: s.redisUrl,
      prefix: `${s.prefix}-paced`,
      leadMs,
      concurrency,
      nodeFlags,
      mode: "herald",
      env: {
        SLACK_BOT_TOKEN: "xoxb-bench",
        SLACK_SIGNING_SECRET: "bench",
        SLACK_API_URL: `${fakes.url}/api/`,
        TWILIO_ACCOUNT_SID: "ACbench",
        TWILIO_AUTH_TOKEN: "bench",
        TWILIO_FROM_NUMBER: "+15550000000",
        TWILIO_API_URL: fakes.url,
        PUBLIC_URL: "http://127.0.0.1:9",
        SMS_RATE_PER_S: String(smsRate),
        SLACK_CHANNEL_RATE_PER_S: "1",
        DELIVERY_CONCURRENCY: "400",
      },
    });
    try {
      const count = () => [...fakes.accepted.values()].reduce((a, l) => a + l.length, 0);
      const deadline = due + 180_000;
      while (count() < burst && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const last = Math.max(...[...fakes.accepted.values()].map((l) => l[l.length - 1]!));
      const { rows } = await s.db.pool.query<{ status: string; n: number }>(
        `SELECT d.status::text, count(*)::int AS n FROM deliveries d JOIN tasks t ON t.id = d.task_id
          WHERE t.title = 'paced' GROUP BY 1`,
      );
      const failed = rows.filter((r) => r.status === "failed").reduce((a, r) => a + r.n, 0);
      const sms = fakes.accepted.get("sms:+15550000000") ?? [];
      const slackPeak = Math.max(
        ...[...fakes.accepted].filter(([k]) => k.startsWith("slack:")).map(([, l]) => peakPerSecond(l)),
      );
      const seconds = count() >= burst ? (last - due) / 1000 : NaN;
      log(`paced: ${count()} accepted, ${fakes.limited} answered 429, deliveries ${JSON.stringify(rows)}`);
      return {
        rows: [
          [`paced burst of ${burst}: delivered (s)`, round(seconds, 2), ""],
          ["  SMS peak/configured (per s)", `${peakPerSecond(sms)}/${smsRate}`, ""],
          ["  Slack channel peak/configured", `${slackPeak}/1`, ""],
          ["  429s answered, deliveries failed", `${fakes.limited}, ${failed}`, ""],
        ],
        json: {
          paced_burst_10k_seconds: round(seconds, 3),
          paced_sms_peak_per_s: peakPerSecond(sms),
          paced_sms_limit_per_s: smsRate,
          paced_slack_channel_peak_per_s: slackPeak,
          paced_429s: fakes.limited,
          paced_failed: failed,
        },
      };
    } finally {
      await worker.stop();
      await fakes.close();
      await deletePrefix(s.redis, `${s.prefix}-paced`);
    }
  });

/** The correctness of a burst on a Redis Cluster: Herald unchanged, REDIS_CLUSTER_NODES set. */
const clusterPart = (s: Scratch) =>
  part("cluster", async () => {
    const cluster = await startCluster(3);
    log(`Redis Cluster of 3 masters at ${cluster.nodes}: burst of ${burst}`);
    const redis = createRedis(`redis-cluster://${cluster.nodes}`);
    // The runtime hash-tags the prefix on a cluster; the bench's own timers use the same one.
    const c: Scratch = { ...s, redis, prefix: `{${s.prefix}}` };
    let worker: BenchWorker | undefined;
    try {
      await redis.connect();
      worker = await BenchWorker.start({
        databaseUrl: s.databaseUrl,
        redisUrl: s.redisUrl,
        redisClusterNodes: cluster.nodes,
        prefix: s.prefix,
        leadMs,
        concurrency,
        nodeFlags,
        mode: "herald",
      });
      const r = await heraldBurst(c, worker, burst, leadMs);
      await new Promise((res) => setTimeout(res, 2000)); // a duplicate would come after the last one
      const extra = await worker.report();
      const once = await onceCheck(c, r.due);
      const ok =
        once.tasks === burst &&
        once.runs === burst &&
        once.ranTasks === burst &&
        once.delivered === burst &&
        once.deliveredTasks === burst &&
        r.done + extra.done >= burst;
      // Postgres decides: the worker's own counts also take in any task of an earlier part that falls due
      // meanwhile (the memory part's million are due every 30 s from a minute after it ran).
      log(`cluster: ${JSON.stringify({ ...once, sent: r.done + extra.done, fired: r.fired + extra.fired })}`);
      await deletePrefix(redis, c.prefix);
      return {
        rows: [
          [`cluster (3 masters), burst of ${burst}: delivered (s)`, round(burstSeconds(r, burst), 2), ""],
          ["  fired, delivered once each", ok ? "yes" : "NO", ""],
        ],
        json: { cluster_burst_10k_seconds: round(burstSeconds(r, burst), 3), cluster_exactly_once: ok ? 1 : 0 },
      };
    } finally {
      await worker?.stop();
      redis.disconnect();
      await cluster.stop();
    }
  });

/** 250 signed SMS a second for 2 s to `herald serve` and two `herald worker` processes (bench/inbound.ts). */
const inboundPart = (s: Scratch) =>
  part("inbound", async () => {
    const prefix = `${s.prefix}-inbound`;
    try {
      const r = await inboundBench({
        databaseServer: flags["database-server"],
        redisUrl: s.redisUrl,
        prefix,
        nodeFlags,
        perSecond: 250,
        seconds: 2,
        log,
      });
      log(`inbound: ${JSON.stringify({ ...r, ackMs: undefined, load: load() })}`);
      return {
        rows: [
          [
            `inbound SMS ${r.sent} in 2 s: ack p50 / p99 (ms)`,
            `${round(pct(r.ackMs, 0.5))} / ${round(pct(r.ackMs, 0.99))}`,
            "",
          ],
          ["inbound SMS answered / doubled", `${r.answered} / ${r.doubled}`, ""],
          ["  answered in the TwiML / by REST", `${r.twiml} / ${r.rest}`, ""],
        ],
        json: {
          inbound_ack_p50_ms: round(pct(r.ackMs, 0.5)),
          inbound_ack_p99_ms: round(pct(r.ackMs, 0.99)),
          inbound_answered: r.answered,
          inbound_doubled: r.doubled,
          inbound_failed: r.failed,
          inbound_twiml: r.twiml,
        },
      };
    } finally {
      await deletePrefix(s.redis, prefix);
    }
  });

async function main(): Promise<void> {
  const s: Scratch = await createScratch(flags["database-server"], flags["redis-url"]);
  const w = new Workers({
    databaseUrl: s.databaseUrl,
    redisUrl: s.redisUrl,
    prefix: s.prefix,
    leadMs,
    concurrency,
    nodeFlags,
  });
  const loadAtStart = load();
  const results: Result[] = [];
  try {
    log(`scratch database ${s.databaseUrl.replace(/^.*\//, "")}, Redis prefix ${s.prefix}`);
    for (const run of [spreadPart(s, w), burstPart(s, w), bigPart(s, w)]) results.push(await run());
    const rss = await w.heraldRss();
    await w.stop();
    if (rss !== undefined)
      results.push({ rows: [["worker RSS peak (MB)", round(rss), ""]], json: { worker_rss_mb: round(rss) } });
    for (const run of [statementsPart(s), memoryPart(s), sitrepPart(), pacedPart(s), clusterPart(s), inboundPart(s)])
      results.push(await run());
  } finally {
    await w.stop();
    await dropScratch(s);
  }
  const loadAtEnd = load();
  const row = (name: string, h: string | number, b: string | number) =>
    console.log(`${name.padEnd(34)}${String(h).padStart(16)}${String(b).padStart(16)}`);
  console.log(`\n${"".padEnd(34)}${"Herald".padStart(16)}${"bare BullMQ".padStart(16)}`);
  for (const r of results) for (const [name, h, b] of r.rows) row(name, h, b);
  row("load average (1 min), start / end", `${loadAtStart[0]} / ${loadAtEnd[0]}`, "");
  if (flags.json) {
    const json = Object.assign({}, ...results.map((r) => r.json), {
      load_avg_1m_start: loadAtStart[0],
      load_avg_1m_end: loadAtEnd[0],
    });
    console.log(JSON.stringify(json));
  }
}

await main();
process.exit(0);
