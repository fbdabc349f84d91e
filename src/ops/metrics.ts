import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { readSitrepInput, type SitrepSource } from "./sitrep-data.js";
import { buildSitrep } from "./sitrep.js";

/**
 * GET /metrics in Prometheus' text format, from its own Registry. Values are read at scrape time from
 * the same bounded queries as the sitrep (counters and index ranges), so a scrape costs a few ms.
 * Window gauges cover the last hour (rounded down to the hour, as the counters are hourly).
 */
export class OpsMetrics {
  readonly registry = new Registry();
  private readonly tasks = new Gauge({
    name: "herald_tasks",
    help: "Stored tasks by status",
    labelNames: ["status"],
    registers: [this.registry],
  });
  private readonly runs = new Gauge({
    name: "herald_runs_last_hour",
    help: "Runs started in the last hour by outcome",
    labelNames: ["status"],
    registers: [this.registry],
  });
  private readonly lateness = new Histogram({
    name: "herald_run_lateness_ms",
    help: "Firing lateness (ms after the due instant) of the most recent runs in the last hour",
    buckets: [10, 50, 100, 250, 500, 1000, 2500, 5000, 15000, 60000],
    registers: [this.registry],
  });
  private readonly deliveries = new Gauge({
    name: "herald_deliveries_last_hour",
    help: "Deliveries created in the last hour by channel and status",
    labelNames: ["channel", "status"],
    registers: [this.registry],
  });
  private readonly queue = new Gauge({
    name: "herald_queue_jobs",
    help: "BullMQ jobs by queue and state",
    labelNames: ["queue", "state"],
    registers: [this.registry],
  });
  private readonly workers = new Gauge({
    name: "herald_queue_workers",
    help: "Live BullMQ workers by queue",
    labelNames: ["queue"],
    registers: [this.registry],
  });
  private readonly backlog = new Gauge({
    name: "herald_backlog_tasks",
    help: "Scheduled tasks due over a minute ago and not started (capped at 10000)",
    registers: [this.registry],
  });
  private readonly llmCalls = new Gauge({
    name: "herald_llm_calls_last_hour",
    help: "LLM calls in the last hour by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  private readonly llmTokens = new Gauge({
    name: "herald_llm_tokens_last_hour",
    help: "LLM tokens (prompt + completion) in the last hour",
    registers: [this.registry],
  });
  private readonly llmCost = new Gauge({
    name: "herald_llm_cost_usd_last_hour",
    help: "Estimated LLM cost in USD in the last hour",
    registers: [this.registry],
  });

  /** Counters and histograms of what this process did since it started (monotonic; Prometheus sums them). */
  readonly process = new ProcessMetrics(this.registry);

  /** `src` is null in processes without the cluster view (a worker's own /metrics port). */
  constructor(private readonly src: SitrepSource | null) {}

  /** Reads current values and renders the exposition text. */
  async render(now = new Date()): Promise<string> {
    if (!this.src) return this.registry.metrics();
    const input = await readSitrepInput(this.src, "1h", now);
    const s = buildSitrep(input);
    for (const [status, n] of Object.entries(s.tasks.byStatus)) this.tasks.set({ status }, n);
    for (const [status, n] of Object.entries(s.runs.byStatus)) this.runs.set({ status }, n);
    this.lateness.reset();
    for (const v of input.lateMs) this.lateness.observe(v);
    this.deliveries.reset();
    for (const [channel, by] of Object.entries(s.deliveries.byChannel))
      for (const [status, n] of Object.entries(by)) this.deliveries.set({ channel, status }, n);
    for (const [queue, counts] of Object.entries(s.queues))
      for (const [state, n] of Object.entries(counts)) this.queue.set({ queue, state }, n);
    this.workers.set({ queue: "fire" }, s.workers.fire);
    this.workers.set({ queue: "deliver" }, s.workers.deliver);
    this.backlog.set(s.backlog.count);
    this.llmCalls.set({ outcome: "ok" }, s.llm.calls - s.llm.failed);
    this.llmCalls.set({ outcome: "failed" }, s.llm.failed);
    this.llmTokens.set(s.llm.tokens);
    this.llmCost.set(s.llm.costUsd);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300];

/**
 * This process's own counts: monotonic counters of runs and deliveries by outcome and channel, histograms
 * of firing lateness, run duration and webhook ack time, and Node's default process metrics. Each process
 * that runs workers or serves HTTP has one; Prometheus adds them up across processes.
 */
export class ProcessMetrics {
  private readonly runs: Counter<"outcome" | "channel">;
  private readonly deliveries: Counter<"outcome" | "channel">;
  private readonly blindResends: Counter<"channel">;
  private readonly lateness: Histogram;
  private readonly duration: Histogram<"outcome">;
  private readonly ack: Histogram<"route">;

  constructor(registry: Registry) {
    const registers = [registry];
    collectDefaultMetrics({ register: registry, prefix: "herald_" });
    this.runs = new Counter({
      name: "herald_runs_total",
      help: "Run attempts ended in this process, by outcome (succeeded, skipped, retried, failed) and channel",
      labelNames: ["outcome", "channel"],
      registers,
    });
    this.deliveries = new Counter({
      name: "herald_deliveries_total",
      help: "Delivery outcomes recorded by this process, by outcome (sent, retried, failed, held, expired, undelivered, delivered) and channel",
      labelNames: ["outcome", "channel"],
      registers,
    });
    this.blindResends = new Counter({
      name: "herald_deliveries_resent_blind_total",
      help: "Deliveries this process took over from a dead worker and sent again without being able to ask the provider whether it already had them (Slack, email): each may have arrived twice",
      labelNames: ["channel"],
      registers,
    });
    this.lateness = new Histogram({
      name: "herald_run_lateness_seconds",
      help: "How late runs started after their due instant",
      buckets: SECONDS,
      registers,
    });
    this.duration = new Histogram({
      name: "herald_run_duration_seconds",
      help: "How long run attempts took, from start to their outcome",
      labelNames: ["outcome"],
      buckets: SECONDS,
      registers,
    });
    this.ack = new Histogram({
      name: "herald_webhook_ack_seconds",
      help: "Time from a webhook's arrival to its response (providers retry slow acks)",
      labelNames: ["route"],
      buckets: SECONDS,
      registers,
    });
  }

  runEnded(r: { channel: string; outcome: string; lateMs: number; durationMs: number }): void {
    this.runs.inc({ outcome: r.outcome, channel: r.channel });
    if (r.outcome === "succeeded" || r.outcome === "failed") this.lateness.observe(r.lateMs / 1000);
    this.duration.observe({ outcome: r.outcome }, r.durationMs / 1000);
  }

  delivery(outcome: string, channel: string, n = 1): void {
    this.deliveries.inc({ outcome, channel }, n);
  }

  /** A taken-over delivery sent again without asking its provider (it may have arrived twice). */
  blindResend(channel: string): void {
    this.blindResends.inc({ channel });
  }

  /** A response of the HTTP server: webhooks (POSTs outside /admin and /mcp) are timed. */
  response(r: { method: string; route: string; ms: number }): void {
    if (r.method !== "POST" || r.route === "unmatched" || r.route.startsWith("/admin") || r.route.startsWith("/mcp"))
      return;
    this.ack.observe({ route: r.route }, r.ms / 1000);
  }
}
