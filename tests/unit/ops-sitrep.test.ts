import { describe, expect, it } from "vitest";
import { buildSitrep, percentile, successRate, windowStart, type SitrepInput } from "../../src/ops/sitrep.js";
import { sitrepBlocks, sitrepText } from "../../src/ops/sitrep-render.js";
import { parseSitrepCommand, sitrepParams, windowOfParams } from "../../src/ops/sitrep-command.js";

const now = new Date("2026-11-25T14:37:00Z");
const zero = { waiting: 0, delayed: 0, active: 0, failed: 0 };

function input(over: Partial<SitrepInput> = {}): SitrepInput {
  return {
    now,
    window: "24h",
    taskCounts: [],
    hourly: [],
    lateMs: [],
    lateSampleLimit: 1000,
    nextDue: [],
    dueNext24h: 0,
    backlog: 0,
    oldestBacklogAt: null,
    countCap: 10_000,
    queues: { fire: zero, deliver: zero },
    workers: { fire: 1, deliver: 1 },
    processes: [],
    failures: [],
    recent: [],
    overdueApprovals: [],
    overdueApprovalCount: 0,
    ...over,
  };
}

describe("sitrep arithmetic", () => {
  it("takes nearest-rank percentiles and has none for no values", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it("computes the success rate over finished runs only", () => {
    expect(successRate(97, 3)).toBeCloseTo(0.97);
    expect(successRate(0, 0)).toBeNull();
  });

  it("starts a window on the hour, as the counters are hourly", () => {
    expect(windowStart(now, "24h").toISOString()).toBe("2026-11-24T14:00:00.000Z");
    expect(windowStart(now, "1h").toISOString()).toBe("2026-11-25T13:00:00.000Z");
  });

  it("sums task counts, runs, deliveries by channel and LLM use from counter rows", () => {
    const s = buildSitrep(
      input({
        taskCounts: [
          { status: "scheduled", n: 900 },
          { status: "scheduled", n: 100 },
          { status: "failed", n: 5 },
        ],
        hourly: [
          { metric: "run", key: "succeeded", n: 90, tokens: 0, costUsd: 0 },
          { metric: "run", key: "succeeded", n: 8, tokens: 0, costUsd: 0 },
          { metric: "run", key: "failed", n: 2, tokens: 0, costUsd: 0 },
          { metric: "delivery", key: "sms:delivered", n: 10, tokens: 0, costUsd: 0 },
          { metric: "delivery", key: "sms:failed", n: 1, tokens: 0, costUsd: 0 },
          { metric: "delivery", key: "slack:sent", n: 4, tokens: 0, costUsd: 0 },
          { metric: "llm", key: "ok", n: 9, tokens: 900, costUsd: 0.25 },
          { metric: "llm", key: "failed", n: 1, tokens: 0, costUsd: 0 },
        ],
        lateMs: [300, 100, 200, 5000],
      }),
    );
    expect(s.tasks.total).toBe(1005);
    expect(s.tasks.byStatus.scheduled).toBe(1000);
    expect(s.tasks.byStatus.paused).toBe(0);
    expect(s.runs).toMatchObject({ total: 100, successRate: 0.98 });
    expect(s.lateness).toMatchObject({ p50Ms: 200, p95Ms: 5000, maxMs: 5000, sample: 4 });
    expect(s.deliveries.byChannel).toEqual({ sms: { delivered: 10, failed: 1 }, slack: { sent: 4 } });
    expect(s.deliveries).toMatchObject({ total: 15, failed: 1 });
    expect(s.llm).toEqual({ calls: 10, failed: 1, tokens: 900, costUsd: 0.25 });
  });

  it("keeps the five latest failures, errors flattened and cut to 200 characters", () => {
    const failures = Array.from({ length: 7 }, (_, i) => ({
      kind: "run" as const,
      id: `t${i}`,
      taskId: `t${i}`,
      title: `task ${i}`,
      channel: "sms",
      at: new Date(now.getTime() - i * 60_000),
      error: `line one\nline two ${"x".repeat(300)}`,
    }));
    const s = buildSitrep(input({ failures: failures.reverse() }));
    expect(s.failures.map((f) => f.id)).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    expect(s.failures[0]!.error).toHaveLength(200);
    expect(s.failures[0]!.error.startsWith("line one line two")).toBe(true);
    expect(s.failures[0]!.error.endsWith("…")).toBe(true);
  });

  it("marks counts that reached the cap", () => {
    const s = buildSitrep(input({ dueNext24h: 10_000, backlog: 3 }));
    expect(s.due).toMatchObject({ next24h: 10_000, next24hCapped: true });
    expect(s.backlog).toMatchObject({ count: 3, capped: false });
    expect(sitrepText(s)).toContain("10,000+ in the next 24 hours");
  });
});

describe("sitrep rendering", () => {
  it("renders text with every part and flags a missing fire worker", () => {
    const s = buildSitrep(
      input({
        workers: { fire: 0, deliver: 1 },
        nextDue: [{ id: "a", title: "water plants", nextRunAt: new Date(now.getTime() + 3 * 60_000), channel: "sms" }],
      }),
    );
    const text = sitrepText(s);
    for (const part of [
      "Tasks:",
      "Runs (24h):",
      "Firing lateness:",
      "Due:",
      "Queues:",
      "Last failures:",
      "Deliveries (24h):",
      "LLM (24h):",
    ])
      expect(text).toContain(part);
    expect(text).toContain("in 3 minutes: water plants (sms)");
    expect(text).toContain("no fire worker is running");
  });

  it("renders Block Kit with user text escaped", () => {
    const s = buildSitrep(
      input({ nextDue: [{ id: "a", title: "<!channel> & co", nextRunAt: now, channel: "slack" }] }),
    );
    const blocks = sitrepBlocks(s) as { type: string; text?: { text: string } }[];
    expect(blocks[0]!.type).toBe("header");
    const due = blocks.find((b) => b.text?.text.startsWith("*Due*"))!;
    expect(due.text!.text).toContain("&lt;!channel&gt; &amp; co");
    expect(JSON.stringify(blocks)).not.toContain("<!channel>");
  });
});

describe("/sitrep command parsing", () => {
  it("reads a report window", () => {
    expect(parseSitrepCommand("")).toEqual({ kind: "report", window: "24h" });
    expect(parseSitrepCommand("7d")).toEqual({ kind: "report", window: "7d" });
    expect(parseSitrepCommand(" 1h ")).toEqual({ kind: "report", window: "1h" });
  });

  it("turns subscriptions into RRULEs", () => {
    expect(parseSitrepCommand("subscribe daily 9am")).toMatchObject({
      kind: "subscribe",
      rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
      window: "24h",
    });
    expect(parseSitrepCommand("subscribe daily at 5:30pm")).toMatchObject({
      rrule: "FREQ=DAILY;BYHOUR=17;BYMINUTE=30;BYSECOND=0",
    });
    expect(parseSitrepCommand("subscribe weekly friday 16:00")).toMatchObject({
      rrule: "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0;BYSECOND=0",
      window: "7d",
    });
    expect(parseSitrepCommand("subscribe weekly")).toMatchObject({
      rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
    });
    expect(parseSitrepCommand("subscribe every 6 hours")).toMatchObject({
      rrule: "FREQ=HOURLY;INTERVAL=6",
      label: "every 6 hours",
      window: "24h",
    });
    expect(parseSitrepCommand("subscribe every 6 hours 1h")).toMatchObject({ window: "1h" });
  });

  it("explains what it did not understand", () => {
    expect(parseSitrepCommand("subscribe daily 25pm")).toMatchObject({
      kind: "help",
      error: expect.stringContaining("not a time"),
    });
    expect(parseSitrepCommand("subscribe every 0 hours")).toMatchObject({ kind: "help" });
    expect(parseSitrepCommand("subscribe monthly")).toMatchObject({
      kind: "help",
      error: expect.stringContaining("daily, weekly or every N hours"),
    });
    expect(parseSitrepCommand("unsubscribe")).toEqual({ kind: "unsubscribe" });
  });

  it("stores and reads back the window on the subscription task", () => {
    expect(windowOfParams(sitrepParams("7d"))).toBe("7d");
    expect(windowOfParams(null)).toBe("24h");
    expect(windowOfParams({ window: "a fortnight" })).toBe("24h");
  });
});
