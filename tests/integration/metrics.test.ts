import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const METRICS = "metrics-token-0123456789abcdef";

/** /metrics: counters that only go up, histograms of lateness, duration and webhook acks, process metrics. */
describe("metrics", () => {
  let rt: Runtime;
  let base: string;
  const scrape = async (url = `${base}/metrics`, token: string | null = METRICS) => {
    const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, body: await res.text() };
  };
  const value = (body: string, series: string) => {
    const line = body.split("\n").find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(" ")[1]) : 0;
  };

  beforeAll(async () => {
    rt = await startTestRuntime({
      env: { METRICS_TOKEN: METRICS },
      parts: { worker: true, http: true },
      // The console channel without a terminal session: a sender that records what it sends.
      overrides: { senders: [new RecordingSender("console")] },
    });
    base = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => rt?.close());

  it("is refused without the metrics token", async () => {
    expect((await scrape(undefined, null)).status).toBe(401);
    expect((await scrape(undefined, "wrong-token-0123456789")).status).toBe(401);
  });

  it("counts runs by outcome and channel, and observes their lateness and duration", async () => {
    const before = await scrape();
    const series = `herald_runs_total{outcome="succeeded",channel="console"}`;
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("m") } });
    await rt.tasks.create({
      userId: user.id,
      title: "stretch",
      instruction: "stretch",
      when: { runAt: new Date(Date.now() + 300) },
      timezone: "UTC",
      channel: "console",
    });
    const after = await eventually(async () => {
      const s = await scrape();
      return value(s.body, series) > value(before.body, series) ? s : null;
    }, "a counted run");
    expect(value(after.body, series) - value(before.body, series)).toBe(1);
    expect(value(after.body, "herald_run_lateness_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(value(after.body, `herald_run_duration_seconds_count{outcome="succeeded"}`)).toBeGreaterThanOrEqual(1);
    expect(after.body).toMatch(/^# TYPE herald_runs_total counter$/m);
    expect(after.body).toMatch(/^herald_process_cpu_seconds_total \d/m);
  });

  it("counts a delivery taken over from a dead worker and sent again without asking its provider", async () => {
    const series = `herald_deliveries_resent_blind_total{channel="console"}`;
    const before = value((await scrape()).body, series);
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("m") } });
    // Claimed by a process that died mid-send: its lease lapsed a second ago. The console cannot be asked.
    await rt.db.prisma.delivery.create({
      data: {
        userId: user.id,
        channel: "console",
        recipient: user.consoleName!,
        body: "died mid-send",
        status: "sending",
        attempts: 1,
        owner: "some-dead-worker",
        attemptedAt: new Date(Date.now() - 60_000),
        leaseUntil: new Date(Date.now() - 1000),
      },
    });
    await rt.outbox!.sweep();
    const after = await eventually(async () => {
      const v = value((await scrape()).body, series);
      return v > before ? v : null;
    }, "the blind re-send counted");
    expect(after - before).toBe(1);
  });

  it("times webhook acks by route", async () => {
    rt.http!.route("POST", "/hooks/test", (_req, res) => {
      res.writeHead(200);
      res.end("ok");
    });
    for (let i = 0; i < 3; i++) await fetch(`${base}/hooks/test`, { method: "POST", body: "x" });
    const s = await scrape();
    expect(value(s.body, `herald_webhook_ack_seconds_count{route="/hooks/test"}`)).toBe(3);
  });

  it("serves a worker's own counters on METRICS_PORT, apart from the main port", async () => {
    const worker = await startTestRuntime({ env: { METRICS_PORT: "0" }, parts: { worker: true, http: false } });
    try {
      const s = await scrape(`http://127.0.0.1:${worker.metricsPort}/metrics`, null);
      expect(s.status).toBe(200);
      expect(s.body).toContain("herald_process_resident_memory_bytes");
      // The cluster's gauges come from the HTTP process only, so workers do not repeat them.
      expect(s.body).not.toContain("herald_tasks{");
    } finally {
      await worker.close();
    }
  });
});
