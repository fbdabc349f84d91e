import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const TOKEN = "history-admin-token-0123456789";
const ALICE = "alice-own-token-0123456789";

/** The admin API's history, report, bulk actions, cut-off and who-acted, against a real database. */
describe("admin API: history, bulk actions and who acted", () => {
  let rt: Runtime;
  let base: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = async <T = unknown>(path: string, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, { headers: as(token) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const post = async <T = unknown>(path: string, body: unknown = {}, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { ...as(token), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    rt = await startTestRuntime({
      env: { ADMIN_TOKEN: TOKEN, ADMIN_TOKENS: `alice:${ALICE}` },
      parts: { worker: false, http: true },
    });
    base = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => rt?.close());

  async function newUser() {
    return rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("hist") } });
  }
  async function newTask(userId: string, title: string, minutes = 90, audience?: string) {
    return rt.tasks.create({
      userId,
      title,
      instruction: title,
      when: { runAt: new Date(Date.now() + minutes * 60_000) },
      timezone: "UTC",
      channel: "console",
      audience,
    });
  }
  async function run(taskId: string, status: "succeeded" | "failed", startedAt: Date, ms: number, error?: string) {
    return rt.db.prisma.taskRun.create({
      data: {
        taskId,
        occurrence: startedAt,
        status,
        startedAt,
        finishedAt: new Date(startedAt.getTime() + ms),
        lateMs: 5,
        error: error ?? null,
      },
    });
  }

  it("names the operator who authenticated as the actor, whatever the body says", async () => {
    const user = await newUser();
    const t = await newTask(user.id, unique("held"), 90, "+15550007777");
    const r = await post(`/admin/api/tasks/${t.id}/approve`, { actor: "mallory" }, ALICE);
    expect(r.status).toBe(200);
    const entry = await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: t.id, action: "approve" } });
    expect(entry.actor).toBe("admin:alice");
  });

  it("rejects a held task as rejected, with no next run", async () => {
    const user = await newUser();
    const t = await newTask(user.id, unique("held"), 90, "+15550008888");
    const r = await post<{ task: { status: string; nextRunAt: string | null } }>(`/admin/api/tasks/${t.id}/reject`, {
      reason: "no",
    });
    expect(r.body.task).toMatchObject({ status: "rejected", nextRunAt: null });
    expect((await post(`/admin/api/tasks/${t.id}/run`)).status).toBe(409);
    const list = await get<{ tasks: { id: string }[] }>(`/admin/api/tasks?user=${user.id}&status=rejected`);
    expect(list.body.tasks.map((x) => x.id)).toEqual([t.id]);
  });

  it("lists runs across tasks newest first with durations, filtered by status, user, time and error text", async () => {
    const user = await newUser();
    const a = await newTask(user.id, unique("water"));
    const b = await newTask(user.id, unique("report"));
    const t0 = new Date(Date.now() - 3_600_000);
    await run(a.id, "succeeded", t0, 1200);
    await run(b.id, "failed", new Date(t0.getTime() + 60_000), 300, `SMTP said 554 ${"x".repeat(400)}`);
    await run(a.id, "succeeded", new Date(t0.getTime() + 120_000), 800);

    const all = await get<{ runs: { taskId: string; status: string; durationMs: number; error: string | null }[] }>(
      `/admin/api/runs?user=${user.consoleName}`,
    );
    expect(all.status).toBe(200);
    expect(all.body.runs.map((r) => [r.taskId, r.status, r.durationMs])).toEqual([
      [a.id, "succeeded", 800],
      [b.id, "failed", 300],
      [a.id, "succeeded", 1200],
    ]);
    expect(all.body.runs[1]!.error!.length).toBe(200);

    const failed = await get<{ runs: { taskId: string }[] }>(
      `/admin/api/runs?user=${user.id}&status=failed&error=smtp`,
    );
    expect(failed.body.runs.map((r) => r.taskId)).toEqual([b.id]);
    const early = await get<{ runs: unknown[] }>(
      `/admin/api/runs?user=${user.id}&to=${new Date(t0.getTime() + 1000).toISOString()}`,
    );
    expect(early.body.runs).toHaveLength(1);
    const paged = await get<{ runs: unknown[]; nextCursor: string }>(`/admin/api/runs?user=${user.id}&limit=2`);
    expect(paged.body.runs).toHaveLength(2);
    const rest = await get<{ runs: unknown[]; nextCursor: null }>(
      `/admin/api/runs?user=${user.id}&limit=2&cursor=${paged.body.nextCursor}`,
    );
    expect(rest.body).toMatchObject({ nextCursor: null });
    expect(rest.body.runs).toHaveLength(1);
    expect((await get(`/admin/api/runs?status=lost`)).status).toBe(400);
  });

  it("reports a window: runs by outcome, success rate, durations and the commonest errors", async () => {
    const user = await newUser();
    const t = await newTask(user.id, unique("hourly"));
    const from = new Date("2026-01-10T00:00:00Z");
    for (let i = 0; i < 3; i++) await run(t.id, "succeeded", new Date(from.getTime() + i * 60_000), 100 * (i + 1));
    await run(t.id, "failed", new Date(from.getTime() + 10 * 60_000), 50, "twilio 503");
    const r = await get<{
      runs: { total: number; byStatus: Record<string, number> };
      successRate: number;
      durationMs: { p50: number; max: number };
      errors: { error: string; count: number }[];
    }>(`/admin/api/report?from=${from.toISOString()}&to=2026-01-10T01:00:00Z`);
    expect(r.body.runs).toMatchObject({ total: 4, byStatus: { succeeded: 3, failed: 1 } });
    expect(r.body.successRate).toBeCloseTo(0.75);
    expect(r.body.durationMs).toMatchObject({ p50: 100, max: 300 });
    expect(r.body.errors).toEqual([expect.objectContaining({ error: "twilio 503", count: 1 })]);
    const text = await fetch(
      `${base}/admin/api/report?from=${from.toISOString()}&to=2026-01-10T01:00:00Z&format=text`,
      { headers: as(TOKEN) },
    ).then((x) => x.text());
    expect(text).toContain("success rate 75.0%");
    expect((await get(`/admin/api/report?window=forever`)).status).toBe(400);
  });

  it("previews a bulk cancel as a count, then runs it only with that count confirmed", async () => {
    const user = await newUser();
    const tag = unique("bulk");
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await newTask(user.id, `${tag} ${i}`));
    const preview = await get<{ count: number; sample: { id: string }[] }>(`/admin/api/bulk/cancel?text=${tag}`);
    expect(preview.body.count).toBe(3);
    expect(preview.body.sample).toHaveLength(3);
    const wrong = await post(`/admin/api/bulk/cancel`, { text: tag, confirm: 2 });
    expect(wrong.status).toBe(409);
    expect((await rt.tasks.get(made[0]!.id))!.status).toBe("scheduled");
    expect((await post(`/admin/api/bulk/cancel`, { confirm: 0 })).status).toBe(400);

    const done = await post<{ done: number; refusedCount: number; id: string }>(
      `/admin/api/bulk/cancel`,
      { text: tag, confirm: 3 },
      ALICE,
    );
    expect(done.body).toMatchObject({ done: 3, refusedCount: 0 });
    for (const t of made) expect((await rt.tasks.get(t.id))!.status).toBe("cancelled");
    const entries = await rt.db.prisma.auditLog.findMany({
      where: { OR: [{ taskId: { in: made.map((t) => t.id) }, action: "cancel" }, { action: "bulk_cancel" }] },
    });
    expect(
      entries.filter((e) => e.action === "cancel").map((e) => [e.actor, (e.after as { bulk: string }).bulk]),
    ).toEqual(made.map(() => ["admin:alice", done.body.id]));
    expect(
      entries.find((e) => (e.after as { bulk: string }).bulk === done.body.id && e.action === "bulk_cancel"),
    ).toMatchObject({ actor: "admin:alice", taskId: null, after: { matched: 3, done: 3 } });

    // Already cancelled: a second bulk over the same tasks is refused for each, not an error.
    const again = await post<{ done: number; refusedCount: number }>(`/admin/api/bulk/cancel`, {
      text: tag,
      confirm: 3,
    });
    expect(again.body).toMatchObject({ done: 0, refusedCount: 3 });
  });

  it("sets a task's cut-off, and reschedules an rrule without a start to fire at second 0", async () => {
    const user = await newUser();
    const t = await newTask(user.id, unique("cutoff"));
    const c = await post<{ task: { usefulForMs: number } }>(`/admin/api/tasks/${t.id}/cutoff`, { minutes: 45 });
    expect(c.body.task.usefulForMs).toBe(45 * 60_000);
    expect((await post(`/admin/api/tasks/${t.id}/cutoff`, { minutes: "soon" })).status).toBe(400);
    const r = await post<{ task: { nextRunAt: string; dtstart: string } }>(`/admin/api/tasks/${t.id}/reschedule`, {
      rrule: "FREQ=MINUTELY;INTERVAL=10",
    });
    expect(r.status).toBe(200);
    expect(new Date(r.body.task.dtstart).getUTCSeconds()).toBe(0);
    expect(new Date(r.body.task.nextRunAt).getUTCSeconds()).toBe(0);
    expect(new Date(r.body.task.nextRunAt).getUTCMilliseconds()).toBe(0);
  });
});
