import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/index.js";
import { runHousekeeping } from "../../src/ops/index.js";
import { housekeepingSteps, type Runtime } from "../../src/runtime/index.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const DAY = 86_400_000;

/** Housekeeping prunes what is past the retention, in batches, and leaves the ops counters as they were. */
describe("housekeeping", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startTestRuntime({ parts: { worker: false } });
  });
  afterAll(async () => rt?.close());

  const counters = async () =>
    (
      await rt.db.pool.query<{ metric: string; key: string; n: number }>(
        `SELECT metric, key, sum(n)::int AS n FROM ops_hourly WHERE metric IN ('run', 'delivery') GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).rows;

  it("prunes runs, deliveries, messages and audit entries past the retention, and nothing the counters count", async () => {
    const p = rt.db.prisma;
    const user = await p.user.create({ data: { timezone: "UTC", consoleName: unique("hk") } });
    const task = await rt.tasks.create({
      userId: user.id,
      title: "old and new",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 3_600_000) },
      timezone: "UTC",
      channel: "console",
    });
    const old = new Date(Date.now() - 40 * DAY);
    const recent = new Date(Date.now() - 2 * DAY);
    const ids = { old: [] as string[], recent: [] as string[] };
    for (const [at, bucket] of [
      [old, ids.old],
      [old, ids.old],
      [old, ids.old],
      [recent, ids.recent],
    ] as const) {
      const run = await p.taskRun.create({
        data: {
          taskId: task.id,
          occurrence: new Date(at.getTime() + bucket.length * 1000 + Math.random() * 1000),
          startedAt: at,
          finishedAt: at,
          status: "succeeded",
        },
      });
      await p.delivery.create({
        data: {
          runId: run.id,
          taskId: task.id,
          userId: user.id,
          channel: "console",
          recipient: "x",
          body: "x",
          status: "delivered",
          createdAt: at,
        },
      });
      bucket.push(run.id);
    }
    await p.message.create({
      data: { userId: user.id, direction: "in", channel: "console", body: "old", createdAt: old },
    });
    await p.message.create({ data: { userId: user.id, direction: "in", channel: "console", body: "new" } });
    await p.auditLog.create({ data: { actor: "system:test", action: "old", taskId: task.id, at: old } });
    const before = await counters();

    const pruned = await runHousekeeping({
      pool: rt.db.pool,
      steps: housekeepingSteps(rt.db.pool),
      retentionMs: 30 * DAY,
      batch: 2,
      logger: silentLogger,
    });
    expect(pruned).toMatchObject({ deliveries: 3, runs: 3, messages: 1, audit: 1 });
    expect(await p.taskRun.count({ where: { id: { in: ids.old } } })).toBe(0);
    expect(await p.taskRun.count({ where: { id: { in: ids.recent } } })).toBe(1);
    expect(await p.delivery.count({ where: { taskId: task.id } })).toBe(1);
    expect((await p.message.findMany({ where: { userId: user.id } })).map((m) => m.body)).toEqual(["new"]);
    expect(await p.auditLog.count({ where: { taskId: task.id, action: "old" } })).toBe(0);
    expect(await p.auditLog.count({ where: { taskId: task.id, action: "create" } })).toBe(1);
    // What the sitrep and the charts count is as it was.
    expect(await counters()).toEqual(before);
  });

  it("lets one process do a round at a time", async () => {
    const steps = [{ name: "slow", prune: () => new Promise<number>((r) => setTimeout(() => r(0), 300)) }];
    const o = { pool: rt.db.pool, steps, retentionMs: DAY, batch: 10, logger: silentLogger };
    const [a, b] = await Promise.all([runHousekeeping(o), runHousekeeping(o)]);
    expect([a, b].filter((x) => x === null)).toHaveLength(1);
  });
});
