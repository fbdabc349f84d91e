import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSitrepTask, loadSitrep } from "../../src/ops/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

describe("sitrep over real data", () => {
  let rt: Runtime;
  let sender: RecordingSender;

  beforeAll(async () => {
    sender = new RecordingSender("console");
    rt = await startTestRuntime({ overrides: { senders: [sender] } });
  });
  afterAll(async () => rt.close());

  /** Counters and a real count, read in one snapshot (other test files write to the same database). */
  async function countsBoth(): Promise<{ counters: Record<string, number>; actual: Record<string, number> }> {
    const c = await rt.db.pool.connect();
    try {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      const a = await c.query<{ status: string; n: number }>(
        `SELECT status::text, sum(n)::int AS n FROM task_status_counts GROUP BY status HAVING sum(n) <> 0`,
      );
      const b = await c.query<{ status: string; n: number }>(
        `SELECT status::text, count(*)::int AS n FROM tasks GROUP BY status`,
      );
      await c.query("COMMIT");
      const obj = (rows: { status: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.status, r.n]));
      return { counters: obj(a.rows), actual: obj(b.rows) };
    } finally {
      c.release();
    }
  }

  it("keeps task counters equal to a real count through inserts, updates, deletes and compaction", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("counts") } });
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(
        await rt.tasks.create({
          userId: user.id,
          title: `t${i}`,
          instruction: "x",
          when: { runAt: new Date(Date.now() + 3_600_000 * 5) },
          timezone: "UTC",
          channel: "console",
        }),
      );
    await rt.tasks.apply(made[0]!.id, { action: "pause" }, { kind: "user", userId: user.id });
    await rt.tasks.apply(made[1]!.id, { action: "cancel" }, { kind: "user", userId: user.id });
    await rt.db.pool.query(
      `INSERT INTO tasks (user_id, title, instruction, timezone, channel, status) SELECT $1, 'bulk', 'x', 'UTC', 'console', 'completed' FROM generate_series(1, 50)`,
      [user.id],
    );
    await rt.db.prisma.task.delete({ where: { id: made[2]!.id } });
    let both = await countsBoth();
    expect(both.counters).toEqual(both.actual);
    await rt.db.pool.query("SELECT ops_compact_counts()");
    both = await countsBoth();
    expect(both.counters).toEqual(both.actual);
    expect((await rt.db.pool.query("SELECT count(*)::int AS n FROM task_status_counts")).rows[0].n).toBeLessThanOrEqual(
      7,
    );
  });

  it("reports runs, lateness and deliveries of tasks that fired", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("sitrep") } });
    const before = await loadSitrep(rt.source, "1h");
    const task = await rt.tasks.create({
      userId: user.id,
      title: "sitrep probe",
      instruction: "x",
      when: { runAt: new Date(Date.now() + 300) },
      timezone: "UTC",
      channel: "console",
    });
    await eventually(
      async () => (await rt.db.prisma.delivery.findFirst({ where: { taskId: task.id } }))?.status === "delivered",
      "the delivery",
    );
    const after = await loadSitrep(rt.source, "1h");
    expect(after.runs.byStatus.succeeded).toBeGreaterThanOrEqual(before.runs.byStatus.succeeded! + 1);
    expect(after.lateness.sample).toBeGreaterThanOrEqual(1);
    expect(after.lateness.p50Ms).not.toBeNull();
    expect(after.deliveries.byChannel.console?.delivered).toBeGreaterThanOrEqual(
      (before.deliveries.byChannel.console?.delivered ?? 0) + 1,
    );
    expect(after.workers.fire).toBeGreaterThanOrEqual(1);
    expect(after.runs.successRate).not.toBeNull();
  });

  it("answers /sitrep with text and blocks", async () => {
    const reply = await rt.sitrepCommand({ text: "7d", channelId: "C1", userId: "U1" });
    expect(reply.text).toMatch(/^Herald sitrep — last 7d/);
    expect((reply.blocks as { type: string }[])[0]!.type).toBe("header");
    const help = await rt.sitrepCommand({ text: "subscribe yearly", channelId: "C1", userId: "U1" });
    expect(help.text).toContain("/sitrep subscribe daily 9am");
  });

  it("subscribes a channel as a scheduled task of the engine, replaces it, and unsubscribes", async () => {
    const channelId = unique("C");
    const slackUser = unique("U");
    const reply = await rt.sitrepCommand({ text: "subscribe every 1 hours", channelId, userId: slackUser });
    expect(reply.text).toContain("Subscribed: a 1h sitrep every hour");
    const [task] = await rt.db.prisma.task.findMany({ where: { audience: channelId }, include: { user: true } });
    expect(task).toMatchObject({
      status: "scheduled",
      channel: "slack",
      rrule: "FREQ=HOURLY;INTERVAL=1",
      approvalReason: null,
    });
    expect(task!.user.slackUserId).toBe(slackUser);
    expect(isSitrepTask(task!)).toBe(true);
    expect(await rt.timers.existing([{ taskId: task!.id, occurrence: task!.nextRunAt! }])).toEqual([true]);

    // A subscription is a task of its own kind, posting the window it asked for to its channel.
    expect(task!.kind).toBe("sitrep");
    expect(task!.audience).toBe(channelId);
    expect(task!.params).toEqual({ window: "1h" });

    const again = await rt.sitrepCommand({ text: "subscribe daily 9am", channelId, userId: slackUser });
    expect(again.text).toContain("replaces the previous subscription");
    const all = await rt.db.prisma.task.findMany({ where: { audience: channelId }, orderBy: { createdAt: "asc" } });
    expect(all.map((t) => t.status)).toEqual(["cancelled", "scheduled"]);

    expect((await rt.sitrepCommand({ text: "unsubscribe", channelId, userId: slackUser })).text).toContain(
      "Unsubscribed",
    );
    expect((await rt.db.prisma.task.findMany({ where: { audience: channelId } })).map((t) => t.status)).toEqual([
      "cancelled",
      "cancelled",
    ]);
    expect((await rt.sitrepCommand({ text: "unsubscribe", channelId, userId: slackUser })).text).toContain(
      "has no sitrep subscription",
    );
    const audit = await rt.db.prisma.auditLog.findMany({ where: { taskId: { in: all.map((t) => t.id) } } });
    expect(audit.map((a) => a.action).sort()).toEqual([
      "sitrep_subscribe",
      "sitrep_subscribe",
      "sitrep_unsubscribe",
      "sitrep_unsubscribe",
    ]);
  });
});
