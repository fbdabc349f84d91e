import { afterEach, describe, expect, it } from "vitest";
import { noopOps, type OpsHooks } from "../../src/ops/index.js";
import type { Executor } from "../../src/tasks/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

/**
 * Tasks stored without a timer of their own (a bulk import, recurring tasks entering the horizon) are
 * armed by the scheduler's horizon pass with one sweep per second of due time, which claims them in batches.
 */
describe("sweeps: one timer per second for tasks armed in bulk", () => {
  const runtimes: Runtime[] = [];
  // Had a sweep not fired its tasks, the reconciler would re-create timers for them (and say so here):
  // each test checks that it never had to.
  let recreated: number[] = [];
  const ops: OpsHooks = { ...noopOps, timersRecreated: (n) => recreated.push(n) };
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    expect(recreated).toEqual([]);
    recreated = [];
  });

  /** `n` tasks stored as a bulk import stores them: scheduled, no timer, due over `spreadMs` from `first`. */
  async function store(rt: Runtime, n: number, first: Date, spreadMs: number) {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
    const { rows } = await rt.db.pool.query<{ id: string }>(
      `INSERT INTO tasks (user_id, title, instruction, run_at, timezone, next_run_at, channel, status)
       SELECT $1, 'swept ' || g, 'x', x.at, 'UTC', x.at, 'console', 'scheduled'
         FROM generate_series(0, $2::int - 1) g, LATERAL (SELECT $3::timestamptz + (g * $4::float8 / $2::int) * interval '1 millisecond' AS at) x
       RETURNING id`,
      [user.id, n, first, spreadMs],
    );
    return rows.map((r) => r.id);
  }

  const perTask = async (rt: Runtime, ids: string[], table: "task_runs" | "deliveries") =>
    (
      await rt.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE task_id = ANY($1::uuid[]) GROUP BY task_id`,
        [ids],
      )
    ).rows.map((r) => r.n);

  it("arms 300 tasks due over two seconds with at most three timers, and fires each once", async () => {
    const sender = new RecordingSender("console");
    // A long scheduler interval: the test runs the horizon pass itself, then looks at Redis.
    const rt = await startTestRuntime({ overrides: { senders: [sender], ops, schedulerIntervalMs: 60_000 } });
    runtimes.push(rt);
    const first = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    const ids = await store(rt, 300, first, 2000);

    expect(await rt.scheduler.advanceHorizon()).toBe(300);
    const timers = await rt.timers.queue.getDelayedCount();
    expect(timers).toBeGreaterThanOrEqual(2);
    expect(timers).toBeLessThanOrEqual(3);

    await eventually(() => sender.sent.length >= 300, "300 reminders", 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sender.sent).toHaveLength(300);
    expect(await perTask(rt, ids, "task_runs")).toEqual(ids.map(() => 1));
    expect(await perTask(rt, ids, "deliveries")).toEqual(ids.map(() => 1));
    const { rows } = await rt.db.pool.query(
      `SELECT DISTINCT status::text, attempt FROM task_runs WHERE task_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toEqual([{ status: "succeeded", attempt: 1 }]);
  });

  it("retries a swept task whose attempt failed on a timer of its own, and delivers it once", async () => {
    const sender = new RecordingSender("console");
    let calls = 0;
    const flaky: Executor = {
      execute: async ({ run }) => {
        if (++calls === 1) throw new Error("model timed out");
        return { message: `⏰ ${run.task.title}` };
      },
    };
    const rt = await startTestRuntime({
      env: { RUN_ATTEMPTS: "3" },
      overrides: { senders: [sender], ops, executor: flaky },
    });
    runtimes.push(rt);
    const [id] = await store(rt, 1, new Date(Date.now() + 1000), 0);

    await eventually(() => sender.sent.length === 1, "the reminder after a retry", 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sender.sent).toHaveLength(1);
    expect(calls).toBe(2);
    const runs = await rt.db.prisma.taskRun.findMany({ where: { taskId: id! } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", attempt: 2 });
  });

  it("two sweeps of the same second at once, on two workers, fire each task once", async () => {
    const sender = new RecordingSender("console");
    const a = await startTestRuntime({ overrides: { senders: [sender], ops, schedulerIntervalMs: 60_000 } });
    runtimes.push(a);
    const b = await startTestRuntime({
      env: { REDIS_PREFIX: a.config.REDIS_PREFIX },
      overrides: { senders: [sender], ops, schedulerIntervalMs: 60_000 },
    });
    runtimes.push(b);
    const first = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const ids = await store(a, 200, first, 500);
    await a.scheduler.advanceHorizon();
    // A second sweep job for the same second, as a stalled sweep re-run while its first worker still works.
    await a.timers.queue.add(
      "sweep",
      { from: first.getTime() },
      { jobId: `s-${first.getTime()}-again`, delay: first.getTime() - Date.now() - 50 },
    );

    await eventually(() => sender.sent.length >= 200, "200 reminders", 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sender.sent).toHaveLength(200);
    expect(new Set(sender.sent.map((m) => m.body)).size).toBe(200);
    expect(await perTask(a, ids, "task_runs")).toEqual(ids.map(() => 1));
  });
});
