import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import type { Overrides } from "../../src/runtime/index.js";
import { noopOps } from "../../src/ops/index.js";
import { fireJobId } from "../../src/tasks/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextWholeSecond = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

describe("task lifecycle in the engine", () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  async function start(env: Record<string, string> = {}, overrides: Overrides = {}) {
    const sender = new RecordingSender("console");
    const failures: { taskId: string; runId: string; error: string }[] = [];
    rt = await startTestRuntime({
      env,
      overrides: { senders: [sender], ops: { ...noopOps, runFailed: (f) => failures.push(f) }, ...overrides },
    });
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
    return { rt, sender, failures, user };
  }

  it("retries a failed run and delivers once when a later attempt succeeds", async () => {
    let calls = 0;
    const { rt, sender, user } = await start(
      { RUN_ATTEMPTS: "3" },
      {
        executor: {
          execute: async ({ run }) => {
            if (++calls === 1) throw new Error("model timed out");
            return { message: `⏰ ${run.task.title}` };
          },
        },
      },
    );
    const task = await rt.tasks.create({
      userId: user.id,
      title: "flaky",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 300) },
      timezone: "UTC",
      channel: "console",
    });
    await eventually(() => sender.sent.length === 1, "the reminder after a retry", 20_000);
    const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", attempt: 2 });
    expect(calls).toBe(2);
  });

  it("after the last attempt fails a one-off for good, sends nothing and calls the ops hook once", async () => {
    let calls = 0;
    const { rt, sender, failures, user } = await start(
      { RUN_ATTEMPTS: "3" },
      {
        executor: {
          execute: async () => {
            calls++;
            throw new Error("model unavailable");
          },
        },
      },
    );
    const task = await rt.tasks.create({
      userId: user.id,
      title: "doomed",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 300) },
      timezone: "UTC",
      channel: "console",
    });
    // Backoff doubles from 2 s: attempts at about 0, 2 and 6 s.
    await eventually(() => failures.length === 1, "the ops hook", 30_000, 100);
    const stored = await rt.db.prisma.task.findUniqueOrThrow({
      where: { id: task.id },
      include: { runs: true },
    });
    expect(stored.status).toBe("failed");
    expect(stored.runs).toHaveLength(1);
    expect(stored.runs[0]).toMatchObject({ status: "failed", attempt: 3, error: "model unavailable" });
    expect(await rt.db.prisma.delivery.count({ where: { taskId: task.id } })).toBe(0);
    expect(failures[0]).toEqual({ taskId: task.id, runId: stored.runs[0]!.id, error: "model unavailable" });
    expect(calls).toBe(3);
    expect(sender.sent).toHaveLength(0);
  });

  it("a recurring task whose run fails for good keeps its schedule", async () => {
    const { rt, failures, user } = await start(
      { RUN_ATTEMPTS: "1" },
      {
        executor: {
          execute: async () => {
            throw new Error("boom");
          },
        },
      },
    );
    const dtstart = nextWholeSecond(1000);
    const task = await rt.tasks.create({
      userId: user.id,
      title: "daily digest",
      instruction: "x",
      when: { rrule: "FREQ=DAILY", dtstart },
      timezone: "UTC",
      channel: "console",
    });
    expect(task.nextRunAt).toEqual(dtstart);
    await eventually(() => failures.length === 1, "the ops hook", 20_000);
    await eventually(
      async () => (await rt.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status === "scheduled",
      "the task back on schedule",
    );
    const stored = await rt.db.prisma.task.findUniqueOrThrow({ where: { id: task.id }, include: { runs: true } });
    expect(stored.nextRunAt).toEqual(new Date(dtstart.getTime() + 24 * 3600_000));
    expect(stored.runs.map((r) => r.status)).toEqual(["failed"]);
  });

  it("a paused task does not fire; resumed after its time, it fires once", async () => {
    const { rt, sender, user } = await start();
    const task = await rt.tasks.create({
      userId: user.id,
      title: "paused",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 800) },
      timezone: "UTC",
      channel: "console",
    });
    await rt.tasks.apply(task.id, { action: "pause" }, { kind: "user", userId: task.userId });
    await sleep(1600);
    expect(sender.sent).toHaveLength(0);
    await rt.tasks.apply(task.id, { action: "resume" }, { kind: "user", userId: task.userId });
    await eventually(() => sender.sent.length === 1, "the resumed reminder");
    await sleep(800);
    expect(sender.sent).toHaveLength(1);
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: task.id } })).toBe(1);
  });

  it("a rescheduled task fires at its new time only", async () => {
    const { rt, sender, user } = await start();
    const task = await rt.tasks.create({
      userId: user.id,
      title: "moved",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 700) },
      timezone: "UTC",
      channel: "console",
    });
    const later = new Date(Date.now() + 2500);
    await rt.tasks.apply(
      task.id,
      { action: "reschedule", when: { runAt: later } },
      { kind: "user", userId: task.userId },
    );
    await sleep(1500);
    expect(sender.sent).toHaveLength(0);
    await eventually(() => sender.sent.length === 1, "the reminder at its new time");
    const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
    expect(runs.map((r) => r.occurrence)).toEqual([later]);
  });

  it("closing the runtime lets a run in progress finish and record its outcome", async () => {
    let started = false;
    const { rt: closing, user } = await start(
      {},
      {
        executor: {
          execute: async ({ run }) => {
            started = true;
            await sleep(1500);
            return { message: `⏰ ${run.task.title}` };
          },
        },
      },
    );
    const task = await closing.tasks.create({
      userId: user.id,
      title: "slow",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 300) },
      timezone: "UTC",
      channel: "console",
    });
    await eventually(() => started, "the run to start");
    await closing.close();
    rt = await startTestRuntime({ parts: { worker: false }, env: { REDIS_PREFIX: closing.config.REDIS_PREFIX } });
    const stored = await rt.db.prisma.task.findUniqueOrThrow({
      where: { id: task.id },
      include: { runs: true },
    });
    expect(stored.status).toBe("completed");
    expect(stored.runs.map((r) => r.status)).toEqual(["succeeded"]);
    expect(await rt.db.prisma.delivery.count({ where: { taskId: task.id } })).toBe(1);
  });

  it("snoozing a recurring reminder fires a one-off copy without moving the next occurrence", async () => {
    let offset = 0;
    const { rt, sender, user } = await start({}, { now: () => new Date(Date.now() + offset) });
    const dtstart = new Date(Date.UTC(2030, 0, 1, 9));
    const task = await rt.tasks.create({
      userId: user.id,
      title: "vitamins",
      instruction: "x",
      when: { rrule: "FREQ=DAILY", dtstart },
      timezone: "UTC",
      channel: "console",
    });
    const copy = (
      await rt.tasks.apply(task.id, { action: "snooze", minutes: 10 }, { kind: "user", userId: task.userId })
    ).created!;
    expect(copy.nextRunAt!.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    // Ten minutes pass: the clock moves, and the copy's Redis timer (a real-time delay) comes due.
    offset += 10 * 60_000 - 500;
    await (await rt.timers.queue.getJob(fireJobId(copy.id, copy.nextRunAt!)))!.promote();
    await eventually(() => sender.sent.length === 1, "the snoozed copy", 20_000);
    expect(sender.sent[0]!.body).toBe("⏰ vitamins");
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: copy.id } })).toBe(1);
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: task.id } })).toBe(0);
    expect((await rt.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).nextRunAt).toEqual(dtstart);
  });
});
