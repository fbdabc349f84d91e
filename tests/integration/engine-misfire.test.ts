import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const DAY = 24 * 3600_000;

describe("misfires after downtime", () => {
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
  });

  it("a runtime closed before the due time and a new one started after it delivers the reminder once, marked late", async () => {
    const first = await startTestRuntime();
    runtimes.push(first);
    const user = await first.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
    const runAt = new Date(Date.now() + 2000);
    const task = await first.tasks.create({
      userId: user.id,
      title: "call the bank",
      instruction: "x",
      when: { runAt },
      timezone: "UTC",
      channel: "console",
    });
    await first.close();
    runtimes.pop();
    await new Promise((r) => setTimeout(r, Math.max(0, runAt.getTime() + 500 - Date.now())));

    // Herald was down for five minutes: the new runtime's clock says so (late notices start after a minute).
    const sender = new RecordingSender("console");
    const second = await startTestRuntime({
      env: { REDIS_PREFIX: first.config.REDIS_PREFIX },
      overrides: { senders: [sender], now: () => new Date(Date.now() + 5 * 60_000) },
    });
    runtimes.push(second);
    await eventually(() => sender.sent.length === 1, "the late reminder", 20_000);
    await new Promise((r) => setTimeout(r, 1000));

    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]!.body).toMatch(/^⏰ call the bank \(late/);
    const runs = await second.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.occurrence.getTime()).toBe(runAt.getTime());
    expect(runs[0]!.lateMs).toBeGreaterThan(60_000);
  });

  for (const timerLeftInRedis of [false, true]) {
    it(`a daily task three days overdue fires its latest occurrence once, then waits for the next (timer ${timerLeftInRedis ? "left in Redis" : "not set"})`, async () => {
      const sender = new RecordingSender("console");
      const rt = await startTestRuntime({ overrides: { senders: [sender] } });
      runtimes.push(rt);
      const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
      // Daily at a time two hours from now: outside the horizon, so nothing is armed at creation.
      const at = new Date(Math.floor((Date.now() + 2 * 3600_000) / 60_000) * 60_000);
      const rrule = `FREQ=DAILY;BYHOUR=${at.getUTCHours()};BYMINUTE=${at.getUTCMinutes()};BYSECOND=0`;
      const task = await rt.tasks.create({
        userId: user.id,
        title: "water the plants",
        instruction: "x",
        when: { rrule, dtstart: new Date(at.getTime() - 10 * DAY) },
        timezone: "UTC",
        channel: "console",
      });
      expect(task.nextRunAt!.getTime()).toBe(at.getTime());
      expect(task.timerAt).toBeNull();

      // Herald was down for three days: the stored next occurrence is three days back.
      const overdue = new Date(at.getTime() - 3 * DAY);
      if (timerLeftInRedis) {
        await rt.db.pool.query(`UPDATE tasks SET next_run_at = $2, timer_at = $2 WHERE id = $1`, [task.id, overdue]);
        await rt.timers.set([{ taskId: task.id, occurrence: overdue }], new Date());
      } else {
        await rt.db.pool.query(`UPDATE tasks SET next_run_at = $2 WHERE id = $1`, [task.id, overdue]);
      }

      await eventually(() => sender.sent.length === 1, "the catch-up reminder", 20_000);
      await new Promise((r) => setTimeout(r, 1500));

      expect(sender.sent).toHaveLength(1);
      expect(sender.sent[0]!.body).toMatch(/\(late/);
      const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
      expect(runs).toHaveLength(1);
      expect(runs[0]!.occurrence.getTime()).toBe(at.getTime() - DAY);
      const after = await rt.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(after.status).toBe("scheduled");
      expect(after.nextRunAt!.getTime()).toBe(at.getTime());
    });
  }
});
