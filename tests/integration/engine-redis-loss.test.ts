import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import type { Redis } from "../../src/redis/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

/**
 * "Redis lost its data" for one Herald deployment means every key under its prefix is gone. FLUSHALL
 * would be the literal event, but this Redis is shared with other test runs (and engineers), so the test
 * deletes only its own prefix: SCAN MATCH <prefix>* and DEL. To Herald that is the same loss: timers,
 * BullMQ's bookkeeping (wait, delayed, active, locks, markers) and queued deliveries all vanish.
 */
async function loseRedisData(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  return deleted;
}

describe("Redis loses Herald's data", () => {
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
  });

  it("every one of 500 tasks due over 20 s, with timers of their own or swept, fires and is delivered exactly once, with two workers on one Redis", {
    timeout: 180_000,
  }, async () => {
    const sender = new RecordingSender("console");
    const a = await startTestRuntime({ env: { MAX_ACTIVE_TASKS: "1000" }, overrides: { senders: [sender] } });
    runtimes.push(a);
    const b = await startTestRuntime({
      env: { REDIS_PREFIX: a.config.REDIS_PREFIX, MAX_ACTIVE_TASKS: "1000" },
      overrides: { senders: [sender] },
    });
    runtimes.push(b);
    const user = await a.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });

    const first = Date.now() + 3000;
    // Created 25 at a time, so that even on a loaded machine all are stored before the first falls due.
    const create = async (i: number) => {
      const runAt = new Date(first + Math.round((i * 20_000) / 500));
      // Two thirds are created one at a time (a timer each); a third are stored as a bulk import would store
      // them, with no timer, for the horizon pass to arm in per-second sweeps.
      const task =
        i % 3 === 2
          ? await a.db.prisma.task.create({
              data: {
                userId: user.id,
                title: `task ${i}`,
                instruction: "x",
                runAt,
                nextRunAt: runAt,
                timezone: "UTC",
                channel: "console",
                status: "scheduled",
              },
            })
          : await (i % 3 ? a : b).tasks.create({
              userId: user.id,
              title: `task ${i}`,
              instruction: "x",
              when: { runAt },
              timezone: "UTC",
              channel: "console",
            });
      return task.id;
    };
    const ids: string[] = [];
    for (let i = 0; i < 500; i += 25)
      ids.push(...(await Promise.all(Array.from({ length: 25 }, (_, k) => create(i + k)))));

    await new Promise((r) => setTimeout(r, Math.max(0, first + 10_000 - Date.now())));
    const before = await a.db.prisma.taskRun.count({ where: { taskId: { in: ids } } });
    expect(await loseRedisData(a.redis, a.config.REDIS_PREFIX)).toBeGreaterThan(0);
    // The loss must land halfway: some tasks fired already, some are still ahead.
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(500);

    const left = async () =>
      (
        await a.db.pool.query(
          `SELECT t.status, r.status AS run, r.attempt, r.heartbeat_at < now() - interval '5 seconds' AS stale, count(*)::int AS n FROM tasks t LEFT JOIN task_runs r ON r.task_id = t.id
        WHERE t.id = ANY($1::uuid[]) AND r.status IS DISTINCT FROM 'succeeded' GROUP BY 1, 2, 3, 4`,
          [ids],
        )
      ).rows;
    await eventually(
      async () => (await a.db.prisma.taskRun.count({ where: { taskId: { in: ids }, status: "succeeded" } })) === 500,
      "all 500 runs",
      120_000,
      500,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}; not done: ${JSON.stringify(await left())}`);
    });
    // Deliveries whose queue entry was lost are queued again as soon as a worker notices the loss (the
    // marker key went with the rest), without a reconcile run by hand.
    await eventually(
      () => new Set(sender.sent.map((m) => m.deliveryId)).size === 500,
      "all 500 deliveries",
      60_000,
      200,
    );
    await new Promise((r) => setTimeout(r, 1500));

    const runsPerTask = await a.db.pool.query(
      `SELECT task_id, count(*)::int AS n FROM task_runs WHERE task_id = ANY($1::uuid[]) GROUP BY task_id`,
      [ids],
    );
    expect(runsPerTask.rows).toHaveLength(500);
    expect(runsPerTask.rows.every((r) => r.n === 1)).toBe(true);
    const deliveriesPerTask = await a.db.pool.query(
      `SELECT task_id, count(*)::int AS n FROM deliveries WHERE task_id = ANY($1::uuid[]) GROUP BY task_id`,
      [ids],
    );
    expect(deliveriesPerTask.rows).toHaveLength(500);
    expect(deliveriesPerTask.rows.every((r) => r.n === 1)).toBe(true);
    expect(sender.sent).toHaveLength(500);
    expect(new Set(sender.sent.map((m) => m.body)).size).toBe(500);
  });
});
