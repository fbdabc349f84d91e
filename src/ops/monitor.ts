import type { Db } from "../db/index.js";
import type { Logger } from "../log/index.js";
import type { SlackSettings } from "../notify/slack/index.js";
import { formatAlert } from "./alert-text.js";
import { DEFAULT_POLICY, stepAlerts, type AlertPolicy, type AlertState, type Observation } from "./alerts.js";
import { postPendingApprovals } from "./approvals.js";
import { createNotifier, type OpsNotifier } from "./notifier.js";
import { cut } from "./sitrep.js";
import { compactCounters, type SitrepSource } from "./sitrep-data.js";

/** Thresholds of the condition alerts. */
export interface Thresholds {
  /** Tasks due (by more than `backlogGraceMs`) but not started before the backlog alert. @defaultValue 100 */
  backlog: number;
  /** @defaultValue 60000 */
  backlogGraceMs: number;
  /** Consecutive failed LLM calls (within the last 15 minutes) before the LLM alert. @defaultValue 3 */
  llmFailures: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { backlog: 100, backlogGraceMs: 60_000, llmFailures: 3 };

export interface MonitorOptions {
  notifier: OpsNotifier;
  logger: Logger;
  policy?: AlertPolicy;
  thresholds?: Partial<Thresholds>;
  /** The clock, epoch ms. */
  now?: () => number;
}

/**
 * The alerting side of ops: the engine's hooks feed events in, `check()` measures conditions, the pure
 * state machine (alerts.ts) decides, and what it decides is posted. Steps are serialized.
 */
export class OpsMonitor {
  state: AlertState = {};
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly thresholds: Thresholds;

  constructor(readonly o: MonitorOptions) {
    this.now = o.now ?? Date.now;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...o.thresholds };
  }

  /** Feeds one observation through the state machine and posts what it announces. Never rejects. */
  observe(obs: Observation): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        const { state, notifications } = stepAlerts(this.state, obs, this.now(), this.o.policy ?? DEFAULT_POLICY);
        this.state = state;
        for (const n of notifications) {
          const msg = formatAlert(n);
          this.o.logger.warn({ alert: n.key, kind: n.kind, count: n.count }, msg.text.split("\n")[0]!);
          await this.o.notifier.post(msg);
        }
      })
      .catch((err) => this.o.logger.error({ err: (err as Error).message }, "ops alert step failed"));
    return this.chain;
  }

  /** Hooks the engine calls (see OpsHooks). */
  runFailed(info: { taskId: string; runId: string; error: string }): void {
    void this.observe({
      events: [{ key: "run_failed", count: 1, detail: `Latest: task ${info.taskId}: ${cut(info.error, 200)}` }],
    });
  }

  deliveryFailed(info: { id: string; channel: string; error: string }): void {
    void this.observe({
      events: [
        {
          key: "delivery_failed",
          count: 1,
          detail: `Latest: ${info.channel} delivery ${info.id}: ${cut(info.error, 200)}`,
        },
      ],
    });
  }

  timersRecreated(count: number): void {
    void this.observe({ events: [{ key: "timers_recreated", count, detail: "" }] });
  }

  /** Measures the conditions (workers, backlog, LLM failures) and steps the machine; also ends quiet periods of events. */
  async check(src: SitrepSource): Promise<void> {
    const now = this.now();
    const [fireWorkers, deliverWorkers, timers, backlog, llm, held] = await Promise.all([
      src.fireQueue.getWorkersCount(),
      src.deliverQueue.getWorkersCount(),
      src.fireQueue.getJobCounts("waiting", "delayed"),
      src.pool.query<{ n: number; oldest: Date | null }>(
        `SELECT count(*)::int AS n, min(next_run_at) AS oldest FROM (SELECT next_run_at FROM tasks WHERE status = 'scheduled' AND next_run_at < $1 ORDER BY next_run_at LIMIT $2) x`,
        [new Date(now - this.thresholds.backlogGraceMs), this.thresholds.backlog * 10],
      ),
      src.pool.query<{ ok: boolean; error: string | null }>(
        `SELECT ok, error FROM llm_calls WHERE at > $1 ORDER BY at DESC LIMIT 50`,
        [new Date(now - 15 * 60_000)],
      ),
      src.pool.query<{ n: number; oldest: string | null }>(
        `SELECT count(*)::int AS n, (array_agg(title ORDER BY next_run_at))[1] AS oldest FROM
           (SELECT title, next_run_at FROM tasks WHERE status = 'pending_approval' AND rrule IS NULL AND next_run_at < $1 ORDER BY next_run_at LIMIT 1000) x`,
        [new Date(now)],
      ),
    ]);
    const h = held.rows[0] ?? { n: 0, oldest: null };
    const waiting = (timers.waiting ?? 0) + (timers.delayed ?? 0);
    const missing = [fireWorkers === 0 ? "fire" : null, deliverWorkers === 0 ? "deliver" : null].filter(Boolean);
    const b = backlog.rows[0] ?? { n: 0, oldest: null };
    const failedInRow = llm.rows.findIndex((r) => r.ok);
    const llmFailed = failedInRow === -1 ? llm.rows.length : failedInRow;
    await this.observe({
      conditions: {
        no_worker: {
          active: missing.length > 0,
          count: waiting,
          detail: missing.length ? `No live ${missing.join(" or ")} worker; ${waiting} timer(s) waiting.` : "",
        },
        backlog: {
          active: b.n >= this.thresholds.backlog,
          count: b.n,
          detail: b.oldest ? `Oldest due ${b.oldest.toISOString()}.` : "",
        },
        approval_overdue: {
          active: h.n > 0,
          count: h.n,
          detail: h.oldest ? `Oldest: "${cut(h.oldest, 80)}".` : "",
        },
        llm_failing: {
          active: llmFailed >= this.thresholds.llmFailures,
          count: llmFailed,
          detail: llm.rows[0]?.error ? `Last error: ${cut(llm.rows[0].error, 200)}` : "",
        },
      },
    });
  }
}

/** Hooks for the engine: alerts for runs and deliveries that failed for good and timers re-created. */
export function createOpsHooks(o: {
  /** Slack, when configured (alerts go to its ops channel; without one they are only logged). */
  slack?: Pick<SlackSettings, "botToken" | "apiUrl" | "opsChannel"> | null;
  logger: Logger;
  notifier?: OpsNotifier;
  policy?: AlertPolicy;
  thresholds?: Partial<Thresholds>;
  now?: () => number;
}): OpsMonitor {
  return new OpsMonitor({
    notifier: o.notifier ?? createNotifier(o.slack, o.logger),
    logger: o.logger,
    policy: o.policy,
    thresholds: o.thresholds,
    now: o.now,
  });
}

/** What the ops loop reads and writes. */
export interface OpsLoopDeps {
  monitor: OpsMonitor;
  source: SitrepSource;
  /** For the audit entries of approval requests posted. */
  prisma: Db;
  logger: Logger;
}

/**
 * Starts the ops loop: every `intervalMs` it checks conditions, posts new approval requests and compacts
 * the counters. With `conditions: false` (worker-only processes) it only closes the quiet periods of the
 * hooks' event alerts (the "N more" summaries and recoveries). Returns the stop function (waits for a tick in progress).
 */
export function startOps(
  d: OpsLoopDeps,
  opts: { intervalMs?: number; conditions?: boolean } = {},
): () => Promise<void> {
  const { monitor } = d;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    const steps: [string, () => Promise<unknown>][] =
      opts.conditions === false
        ? [["events", () => monitor.observe({})]]
        : [
            ["conditions", () => monitor.check(d.source)],
            ["approvals", () => postPendingApprovals({ pool: d.source.pool, prisma: d.prisma }, monitor.o.notifier)],
            ["counters", () => compactCounters(d.source.pool)],
          ];
    for (const [name, fn] of steps) {
      if (stopped) return;
      await fn().catch((err) =>
        d.logger.warn({ step: name, err: (err as Error).message }, "ops check failed; will retry"),
      );
    }
  };
  running = tick();
  const handle = setInterval(() => {
    running = running.then(tick);
  }, opts.intervalMs ?? 15_000);
  return async () => {
    stopped = true;
    clearInterval(handle);
    await running;
  };
}
