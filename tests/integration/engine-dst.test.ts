import { DateTime } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const NY = "America/New_York";
const ny = (iso: string) => DateTime.fromISO(iso, { zone: NY }).toJSDate();

describe("a daily task across a DST change", () => {
  let rt: Runtime | undefined;
  afterEach(async () => rt?.close());

  // Generous waits: on a loaded CI machine a timer can take a while, and a lost one is re-armed after 30 s.
  it("'every day at 9' in New York fires at 09:00 local on 2026-03-07 and on 2026-03-08, when clocks spring forward", {
    timeout: 150_000,
  }, async () => {
    // A clock that runs at real speed from wherever the test sets it: the engine's waits stay short and real.
    let offset = 0;
    const setClock = (at: Date) => {
      offset = at.getTime() - Date.now();
    };
    const sender = new RecordingSender("console");
    // The clock is set before the runtime starts: a scheduler pass begun on the real date (months later)
    // would otherwise treat the new task as overdue and move it to its latest "missed" occurrence.
    setClock(ny("2026-03-07T08:59:50"));
    rt = await startTestRuntime({ overrides: { senders: [sender], now: () => new Date(Date.now() + offset) } });
    const user = await rt.db.prisma.user.create({ data: { timezone: NY, consoleName: unique("user") } });

    setClock(ny("2026-03-07T08:59:58"));
    const task = await rt.tasks.create({
      userId: user.id,
      title: "stand-up",
      instruction: "x",
      when: { rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0", dtstart: ny("2026-03-01T09:00:00") },
      timezone: NY,
      channel: "console",
    });
    expect(task.nextRunAt).toEqual(new Date("2026-03-07T14:00:00Z"));
    const state = async () =>
      JSON.stringify({
        task: await rt!.db.pool
          .query(`SELECT status, next_run_at, timer_at, version FROM tasks WHERE id = $1`, [task.id])
          .then((r) => r.rows),
        runs: await rt!.db.pool
          .query(`SELECT occurrence, status, attempt, error FROM task_runs WHERE task_id = $1`, [task.id])
          .then((r) => r.rows),
        deliveries: await rt!.db.pool
          .query(`SELECT status, attempts, error FROM deliveries WHERE task_id = $1`, [task.id])
          .then((r) => r.rows),
        jobs: await rt!.timers.queue.getJobCounts(),
      });
    await eventually(() => sender.sent.length === 1, "Saturday's reminder", 60_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}; ${await state()}`);
    });
    await eventually(
      async () => (await rt!.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status === "scheduled",
      "the task to be rescheduled",
    );
    expect((await rt.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).nextRunAt).toEqual(
      new Date("2026-03-08T13:00:00Z"),
    );

    setClock(ny("2026-03-08T08:59:58"));
    await eventually(() => sender.sent.length === 2, "Sunday's reminder", 60_000);

    const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: task.id }, orderBy: { occurrence: "asc" } });
    expect(runs.map((r) => r.occurrence.toISOString())).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
    ]);
    expect(runs.map((r) => DateTime.fromJSDate(r.occurrence, { zone: NY }).toFormat("yyyy-MM-dd HH:mm ZZZZ"))).toEqual([
      "2026-03-07 09:00 EST",
      "2026-03-08 09:00 EDT",
    ]);
    for (const r of runs) expect(r.startedAt.getTime()).toBeGreaterThanOrEqual(r.occurrence.getTime());
    expect(sender.sent.every((m) => m.body === "⏰ stand-up")).toBe(true);
    await eventually(
      async () =>
        (await rt!.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).nextRunAt?.toISOString() ===
        "2026-03-09T13:00:00.000Z",
      "Monday's occurrence",
    );
  });
});
