import { UnrecoverableError } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/index.js";
import { createNotifier, createOpsHooks, startOps, type OpsMonitor } from "../../src/ops/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { FakeSlackOps } from "../fakes/slack-ops.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const MIN = 60_000;

describe("ops alerts to Slack", () => {
  let slack: FakeSlackOps;
  const runtimes: Runtime[] = [];
  const stops: (() => Promise<void>)[] = [];
  let clock = Date.now();

  beforeAll(async () => {
    slack = await new FakeSlackOps().start();
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
    for (const r of runtimes.splice(0)) await r.close();
    slack.posted.length = 0;
    slack.calls.length = 0;
  });
  afterAll(async () => slack.stop());

  function monitor(forNoWorkerMs = 2 * MIN): OpsMonitor {
    return createOpsHooks({
      slack: slackSettings(),
      logger: silentLogger,
      now: () => clock,
      policy: {
        quietMs: 15 * MIN,
        forMs: { no_worker: forNoWorkerMs, backlog: 0, llm_failing: 0, approval_overdue: 0 },
      },
    });
  }
  async function start(
    m: OpsMonitor | undefined,
    opts: { worker?: boolean; executor?: boolean; env?: Record<string, string> } = {},
  ) {
    const executor = {
      execute: async (i: { run: { task: { title: string } } }) => {
        if (i.run.task.title.includes("boom")) throw new UnrecoverableError("the executor blew up");
        return { message: `⏰ ${i.run.task.title}` };
      },
    };
    const rt = await startTestRuntime({
      env: { ...slack.env(), ...opts.env },
      parts: { worker: opts.worker ?? true },
      overrides: { ops: m, executor: executor as never, senders: [new RecordingSender("console")] },
    });
    runtimes.push(rt);
    return rt;
  }
  const texts = () => slack.posted.map((p) => p.text);
  const slackSettings = () => {
    const e = slack.env();
    return { botToken: e.SLACK_BOT_TOKEN!, apiUrl: e.SLACK_API_URL, opsChannel: e.SLACK_OPS_CHANNEL };
  };

  it("alerts once when a run fails for good, then sums up the rest after the quiet period", async () => {
    clock = Date.now();
    const m = monitor();
    const rt = await start(m);
    // Other test files share the database, so this runtime's reconciler may also report timers: look at run alerts only.
    const runAlerts = () => slack.posted.filter((p) => /task run/.test(p.text));
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("alerts") } });
    const boom = () =>
      rt.tasks.create({
        userId: user.id,
        title: "boom task",
        instruction: "x",
        when: { runAt: new Date(Date.now() + 300) },
        timezone: "UTC",
        channel: "console",
      });
    const first = await boom();
    const alert = await eventually(() => runAlerts()[0], "the first alert");
    expect(alert.channel).toBe("C0PS");
    expect(alert.token).toBe(slack.token);
    expect(alert.text).toContain("A task run failed for good.");
    expect(alert.text).toContain(`task ${first.id}: the executor blew up`);
    expect(alert.text).toContain("herald tasks list --status failed");

    // The engine calls the same hook for every later failure; calling it directly keeps the count exact.
    m.runFailed({ taskId: first.id, runId: "r2", error: "again" });
    m.runFailed({ taskId: first.id, runId: "r3", error: "and again" });
    await m.observe({});
    expect(runAlerts()).toHaveLength(1);

    clock += 15 * MIN;
    await m.observe({});
    expect(runAlerts()[1]!.text).toContain("2 more task runs failed for good in the last 15 min (3 in all)");
    clock += 15 * MIN;
    await m.observe({});
    expect(runAlerts()[2]!.text).toMatch(/^✅ No task run has failed for good/);
  });

  it("alerts when no worker has been live for two minutes, and when one is back", async () => {
    clock = Date.now();
    const m = monitor();
    const prefix = unique("ops-noworker");
    const server = await start(undefined, { worker: false, env: { REDIS_PREFIX: prefix } });
    await m.check(server.source);
    clock += 2 * MIN;
    await m.check(server.source);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain("No live fire worker for 2 min");
    expect(texts()[0]).toContain("herald worker");
    await m.check(server.source);
    expect(texts()).toHaveLength(1);

    await start(undefined, { worker: true, env: { REDIS_PREFIX: prefix } });
    clock += MIN;
    await eventually(async () => {
      await m.check(server.source);
      return texts().length === 2;
    }, "the recovery");
    expect(texts()[1]).toContain("A fire worker is live again");
  });

  it("alerts when the reconciler re-creates timers lost from Redis", async () => {
    clock = Date.now();
    const m = monitor();
    const rt = await start(m, { worker: false });
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("alerts") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "later",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 10 * MIN) },
      timezone: "UTC",
      channel: "console",
    });
    await rt.redis.del(rt.timers.queue.toKey(`f-${t.id}-${t.nextRunAt!.getTime()}`));
    expect(await rt.scheduler.reconcile()).toBeGreaterThanOrEqual(1);
    await eventually(() => texts().length === 1, "the alert");
    expect(texts()[0]).toMatch(/re-created \d+ timers? missing from Redis/);
    expect(texts()[0]).toContain("appendonly");
  });

  it("alerts when the LLM keeps failing", async () => {
    clock = Date.now();
    const m = monitor();
    const rt = await start(undefined, { worker: false });
    await rt.db.prisma.llmCall.createMany({
      data: [1, 2, 3].map((i) => ({
        purpose: "interpret",
        model: "m",
        ok: false,
        error: `429 rate limited ${i}`,
        at: new Date(clock - 1000 + i),
      })),
    });
    await m.check(rt.source);
    expect(texts().find((t) => t.includes("The LLM is failing"))).toMatch(
      /3 failed calls in a row\. Last error: 429 rate limited 3/,
    );
  });

  it("posts tasks waiting for approval with buttons, and acts on a click", async () => {
    clock = Date.now();
    const m = monitor();
    const rt = await start(undefined, { worker: false });
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", name: unique("Pat") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "remind the team",
      instruction: "remind the team to submit hours",
      when: { runAt: new Date(Date.now() + 60 * MIN) },
      timezone: "UTC",
      channel: "console",
      audience: "#team",
    });
    stops.push(
      startOps({ monitor: m, source: rt.source, prisma: rt.db.prisma, logger: silentLogger }, { intervalMs: 100 }),
    );
    const posted = await eventually(
      () => slack.posted.find((p) => p.text.includes("remind the team")),
      "the approval request",
    );
    const buttons = (posted.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
      (b) => b.type === "actions",
    )!.elements!;
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ["herald_approve", t.id],
      ["herald_reject", t.id],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.posted.filter((p) => p.text.includes("remind the team"))).toHaveLength(1);

    const click = await rt.approval({ action: "approve", taskId: t.id, userId: "U42" });
    expect(click).toEqual({ ok: true, text: `✅ Approved "remind the team". (by <@U42>)` });
    expect((await rt.tasks.get(t.id))!.status).toBe("scheduled");
    expect(await rt.db.prisma.auditLog.findFirst({ where: { taskId: t.id, action: "approve" } })).toMatchObject({
      actor: "slack:U42",
    });
    const late = await rt.approval({ action: "reject", taskId: t.id, userId: "U43" });
    expect(late.ok).toBe(false);
    expect(late.text).toContain("is scheduled, so it can't be rejected");
  });

  it("only logs alerts when no Slack channel or token is configured", async () => {
    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (_o: unknown, msg: string) => void warnings.push(msg),
    } as unknown as typeof silentLogger;
    const n = createNotifier({ botToken: "", opsChannel: undefined, apiUrl: slack.url }, logger);
    expect(n.live).toBe(false);
    expect(await n.post({ text: "hello" })).toEqual({ ok: false });
    expect(warnings[0]).toContain("set SLACK_BOT_TOKEN and SLACK_OPS_CHANNEL");
    expect(slack.calls).toEqual([]);
  });

  it("logs, and does not throw, when Slack refuses the token", async () => {
    const errors: string[] = [];
    const logger = {
      ...silentLogger,
      error: (_o: unknown, msg: string) => void errors.push(msg),
    } as unknown as typeof silentLogger;
    const n = createNotifier({ botToken: "xoxb-wrong", opsChannel: "C0PS", apiUrl: slack.url }, logger);
    expect(await n.post({ text: "hello" })).toEqual({ ok: false });
    expect(slack.calls).toEqual([{ method: "chat.postMessage", error: "invalid_auth" }]);
    expect(errors[0]).toContain("check SLACK_BOT_TOKEN");
  });

  it("posts a subscribed sitrep to its channel through the outbox when the subscription fires", async () => {
    const rt = await startTestRuntime({ env: slack.env() });
    runtimes.push(rt);
    const userId = unique("U");
    await rt.sitrepCommand({ text: "subscribe every 1 hours", channelId: "C0PS", userId });
    const task = await rt.db.prisma.task.findFirstOrThrow({
      where: { audience: "C0PS", status: "scheduled", user: { slackUserId: userId } },
    });
    // Bring the first occurrence forward to now, as the scheduler would set it.
    const soon = new Date(Date.now() + 300);
    await rt.db.prisma.task.update({ where: { id: task.id }, data: { dtstart: soon, nextRunAt: soon, timerAt: soon } });
    await rt.timers.set([{ taskId: task.id, occurrence: soon }], new Date());

    const post = await eventually(
      () => slack.posted.find((p) => p.text.startsWith("Herald sitrep — last 1h")),
      "the sitrep post",
    );
    expect(post.channel).toBe("C0PS");
    expect((post.blocks as { type: string }[])[0]!.type).toBe("header");
    const delivery = await eventually(
      () => rt.db.prisma.delivery.findFirst({ where: { taskId: task.id, status: "delivered" } }),
      "the delivery recorded",
    );
    expect(delivery).toMatchObject({ channel: "slack", recipient: "C0PS", attempts: 1 });
    expect((await rt.tasks.get(task.id))!.status).toBe("scheduled");
  });
});
