import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

describe("task engine", () => {
  let rt: Runtime;
  let sender: RecordingSender;

  beforeEach(async () => {
    sender = new RecordingSender("console");
    rt = await startTestRuntime({ overrides: { senders: [sender] } });
  });
  afterEach(async () => rt.close());

  async function newUser() {
    return rt.db.prisma.user.create({ data: { timezone: "America/New_York", consoleName: unique("user") } });
  }

  /** A one-off "stretch" reminder for `user` on the console, due at `runAt`. */
  function stretchAt(user: { id: string; timezone: string }, runAt: Date) {
    return rt.tasks.create({
      userId: user.id,
      title: "stretch",
      instruction: "remind me to stretch",
      when: { runAt },
      timezone: user.timezone,
      channel: "console",
    });
  }

  it("fires a one-off task at its time and delivers the reminder once", async () => {
    const user = await newUser();
    const runAt = new Date(Date.now() + 800);
    const task = await stretchAt(user, runAt);

    await eventually(() => sender.sent.length === 1, "the reminder");
    expect(sender.sent[0]!.body).toBe("⏰ stretch");
    expect(sender.sent[0]!.recipient).toBe(user.consoleName);
    const stored = await rt.db.prisma.task.findUniqueOrThrow({
      where: { id: task.id },
      include: { runs: true },
    });
    expect(stored.status).toBe("completed");
    expect(stored.runs).toHaveLength(1);
    expect(stored.runs[0]!.status).toBe("succeeded");
    expect(stored.runs[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
    await eventually(
      async () => (await rt.db.prisma.delivery.findFirst({ where: { taskId: task.id } }))?.status === "delivered",
      "delivery recorded",
    );
  });

  it("does nothing for a task cancelled between scheduling and firing", async () => {
    const user = await newUser();
    const task = await rt.tasks.create({
      userId: user.id,
      title: "nope",
      instruction: "nope",
      when: { runAt: new Date(Date.now() + 500) },
      timezone: user.timezone,
      channel: "console",
    });
    await rt.tasks.apply(task.id, { action: "cancel" }, { kind: "user", userId: task.userId });
    await new Promise((r) => setTimeout(r, 1200));
    expect(sender.sent).toHaveLength(0);
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: task.id } })).toBe(0);
  });

  it("a timer added twice for the same occurrence claims it once", async () => {
    const user = await newUser();
    const runAt = new Date(Date.now() + 600);
    const task = await rt.tasks.create({
      userId: user.id,
      title: "once only",
      instruction: "x",
      when: { runAt },
      timezone: user.timezone,
      channel: "console",
    });
    await rt.timers.set([{ taskId: task.id, occurrence: runAt }], new Date());
    await rt.timers.set([{ taskId: task.id, occurrence: runAt }], new Date());
    await eventually(() => sender.sent.length === 1, "the reminder");
    await new Promise((r) => setTimeout(r, 500));
    expect(sender.sent).toHaveLength(1);
  });

  it("a pure executor's run is claimed with its record; a task edited while it acts is acted on again, as edited, and sent once", async () => {
    const user = await newUser();
    const runAt = new Date(Date.now() + 700);
    const titles: string[] = [];
    let taskId = "";
    await rt.close();
    rt = await startTestRuntime({
      overrides: {
        senders: [sender],
        executor: {
          pure: true,
          async execute({ run }) {
            titles.push(run.task.title);
            // The owner edits the task while its first attempt acts: that attempt's record must not land.
            if (titles.length === 1)
              await rt.db.prisma.task.update({
                where: { id: taskId },
                data: { title: "stretch twice", version: { increment: 1 } },
              });
            return { message: `⏰ ${run.task.title}` };
          },
        },
      },
    });
    const task = await stretchAt(user, runAt);
    taskId = task.id;

    await eventually(() => sender.sent.length === 1, "the reminder");
    await new Promise((r) => setTimeout(r, 500));
    expect(titles).toEqual(["stretch", "stretch twice"]);
    expect(sender.sent.map((m) => m.body)).toEqual(["⏰ stretch twice"]);
    const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", attempt: 1, output: "⏰ stretch twice" });
    expect(runs[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });
});
