import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const TOKEN = "test-admin-token-0123456789";

describe("admin API", () => {
  let rt: Runtime;
  let base: string;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${base}${path}`, { headers });
  const post = (path: string, body: unknown = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    rt = await startTestRuntime({ env: { ADMIN_TOKEN: TOKEN }, parts: { worker: false, http: true } });
    base = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => rt.close());

  async function newUser() {
    return rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("admin-user") } });
  }
  const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);
  async function newTask(userId: string, title: string, over: { audience?: string; minutes?: number } = {}) {
    return rt.tasks.create({
      userId,
      title,
      instruction: `remind me to ${title}`,
      when: { runAt: inMinutes(over.minutes ?? 90) },
      timezone: "UTC",
      channel: "console",
      audience: over.audience,
    });
  }

  it("refuses requests without the right bearer token", async () => {
    expect((await get("/admin/api/tasks", {})).status).toBe(401);
    const wrong = await get("/admin/api/tasks", { authorization: "Bearer not-the-token-at-all" });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toContain("Authorization: Bearer");
  });

  it("is off, saying how to turn it on, when no ADMIN_TOKEN is set", async () => {
    const off = await startTestRuntime({ parts: { worker: false, http: true } });
    try {
      const res = await fetch(`http://127.0.0.1:${off.port}/admin/api/tasks`, { headers: auth });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toContain("set ADMIN_TOKEN");
    } finally {
      await off.close();
    }
  });

  it("lists a user's tasks newest first, filtered, a page at a time", async () => {
    const user = await newUser();
    const made = [];
    for (const t of ["water plants", "call mom", "pay rent", "stretch", "read"])
      made.push(await newTask(user.id, t, { minutes: 60 + made.length }));
    const pending = await newTask(user.id, "text the team", { audience: "+15550001111" });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/admin/api/tasks?user=${user.consoleName}&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { tasks: { id: string }[]; nextCursor: string | null };
      expect(page.tasks.length).toBeLessThanOrEqual(4);
      seen.push(...page.tasks.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made, pending].map((t) => t.id).reverse());

    const held = (await (await get(`/admin/api/tasks?user=${user.id}&status=pending_approval`)).json()) as {
      tasks: { id: string }[];
    };
    expect(held.tasks.map((t) => t.id)).toEqual([pending.id]);
    const text = (await (await get(`/admin/api/tasks?user=${user.id}&text=RENT`)).json()) as {
      tasks: { title: string }[];
    };
    expect(text.tasks.map((t) => t.title)).toEqual(["pay rent"]);
    const due = (await (
      await get(
        `/admin/api/tasks?user=${user.id}&dueFrom=${inMinutes(61.5).toISOString()}&dueTo=${inMinutes(63.5).toISOString()}`,
      )
    ).json()) as { tasks: { title: string }[] };
    expect(due.tasks.map((t) => t.title).sort()).toEqual(["pay rent", "stretch"]);
    const bad = await get(`/admin/api/tasks?status=sleeping`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^status/);
  });

  it("shows a task with its runs, deliveries and the messages that created it", async () => {
    const user = await newUser();
    const msg = await rt.db.prisma.message.create({
      data: { userId: user.id, direction: "in", channel: "console", body: "remind me to floss at 9pm" },
    });
    const task = await newTask(user.id, "floss");
    await rt.db.prisma.task.update({ where: { id: task.id }, data: { sourceMessageId: msg.id } });
    const run = await rt.db.prisma.taskRun.create({
      data: { taskId: task.id, occurrence: new Date(), status: "succeeded", lateMs: 12 },
    });
    await rt.db.prisma.delivery.create({
      data: {
        runId: run.id,
        taskId: task.id,
        userId: user.id,
        channel: "console",
        recipient: user.consoleName!,
        body: "⏰ floss",
        status: "delivered",
      },
    });
    const res = await get(`/admin/api/tasks/${task.id}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      task: { id: string };
      runs: { lateMs: number }[];
      deliveries: { status: string }[];
      messages: { body: string }[];
    };
    expect(d.task.id).toBe(task.id);
    expect(d.runs.map((r) => r.lateMs)).toEqual([12]);
    expect(d.deliveries.map((x) => x.status)).toEqual(["delivered"]);
    expect(d.messages.map((m) => m.body)).toEqual(["remind me to floss at 9pm"]);
    expect((await get(`/admin/api/tasks/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });

  it("approves and rejects held tasks, recording each action in the audit log", async () => {
    const user = await newUser();
    const a = await newTask(user.id, "remind Sam", { audience: "+15550002222" });
    const b = await newTask(user.id, "remind Kim", { audience: "+15550003333" });
    // A name in the body is not who acted: the actor is who authenticated.
    const ok = await post(`/admin/api/tasks/${a.id}/approve`, { actor: "dana" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { task: { status: string } }).task.status).toBe("scheduled");
    const again = await post(`/admin/api/tasks/${a.id}/approve`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toContain("is scheduled, so it can't be approved");
    expect((await post(`/admin/api/tasks/${b.id}/reject`, { reason: "not allowed" })).status).toBe(200);

    const log = await rt.db.prisma.auditLog.findMany({
      where: { taskId: { in: [a.id, b.id] } },
      orderBy: { at: "asc" },
    });
    // The owner's own requests are in the trail too, before the admins' actions.
    expect(log.map((l) => [l.taskId, l.actor, l.action])).toEqual([
      [a.id, `user:${user.id}`, "create"],
      [b.id, `user:${user.id}`, "create"],
      [a.id, "admin:api", "approve"],
      [b.id, "admin:api", "reject"],
    ]);
    expect(log[2]!.before).toMatchObject({ status: "pending_approval" });
    expect(log[2]!.after).toMatchObject({ status: "scheduled" });
    expect(log[3]!.after).toMatchObject({ status: "rejected", nextRunAt: null, reason: "not allowed" });
  });

  it("pauses, resumes, reschedules and cancels", async () => {
    const user = await newUser();
    const t = await newTask(user.id, "stand up");
    expect(
      ((await (await post(`/admin/api/tasks/${t.id}/pause`)).json()) as { task: { status: string } }).task.status,
    ).toBe("paused");
    expect(
      ((await (await post(`/admin/api/tasks/${t.id}/resume`)).json()) as { task: { status: string } }).task.status,
    ).toBe("scheduled");
    const at = inMinutes(300);
    const moved = (await (await post(`/admin/api/tasks/${t.id}/reschedule`, { runAt: at.toISOString() })).json()) as {
      task: { nextRunAt: string };
    };
    expect(new Date(moved.task.nextRunAt).getTime()).toBe(at.getTime());
    const bad = await post(`/admin/api/tasks/${t.id}/reschedule`, { runAt: "soon" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("runAt must be an ISO time");
    expect(
      ((await (await post(`/admin/api/tasks/${t.id}/cancel`)).json()) as { task: { status: string } }).task.status,
    ).toBe("cancelled");
    expect((await post(`/admin/api/tasks/${t.id}/explode`)).status).toBe(404);
    const actions = await rt.db.prisma.auditLog.findMany({ where: { taskId: t.id }, orderBy: { at: "asc" } });
    expect(actions.map((x) => x.action)).toEqual(["create", "pause", "resume", "reschedule", "cancel"]);
  });

  it("retries a failed one-off now, with a timer set for it", async () => {
    const user = await newUser();
    const t = await newTask(user.id, "send report");
    await rt.db.prisma.task.update({ where: { id: t.id }, data: { status: "failed" } });
    await rt.db.prisma.taskRun.create({
      data: { taskId: t.id, occurrence: t.nextRunAt!, status: "failed", error: "boom" },
    });
    const res = await post(`/admin/api/tasks/${t.id}/retry`);
    expect(res.status).toBe(200);
    const after = await rt.db.prisma.task.findUniqueOrThrow({ where: { id: t.id } });
    expect(after.status).toBe("scheduled");
    expect(Math.abs(after.nextRunAt!.getTime() - Date.now())).toBeLessThan(5000);
    expect(await rt.timers.existing([{ taskId: t.id, occurrence: after.nextRunAt! }])).toEqual([true]);
    const none = await post(`/admin/api/tasks/${(await newTask(user.id, "fine")).id}/retry`);
    expect(none.status).toBe(409);
  });

  it("runs a recurring task now as a one-off copy, leaving its schedule alone", async () => {
    const user = await newUser();
    const t = await rt.tasks.create({
      userId: user.id,
      title: "daily standup",
      instruction: "standup",
      when: { rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", dtstart: new Date() },
      timezone: "UTC",
      channel: "console",
    });
    const out = (await (await post(`/admin/api/tasks/${t.id}/run`)).json()) as {
      created: { id: string; status: string; rrule: string | null };
    };
    expect(out.created).toMatchObject({ status: "scheduled", rrule: null });
    const original = await rt.db.prisma.task.findUniqueOrThrow({ where: { id: t.id } });
    expect(original.nextRunAt!.getTime()).toBe(t.nextRunAt!.getTime());
  });

  it("serves the sitrep as JSON and text", async () => {
    const res = await get("/admin/api/sitrep?window=1h");
    expect(res.status).toBe(200);
    const s = (await res.json()) as { window: string; tasks: { total: number }; queues: { fire: { delayed: number } } };
    expect(s.window).toBe("1h");
    expect(s.tasks.total).toBeGreaterThan(0);
    const text = await (await get("/admin/api/sitrep?format=text")).text();
    expect(text).toMatch(/^Herald sitrep — last 24h/);
    expect((await get("/admin/api/sitrep?window=2y")).status).toBe(400);
  });

  it("exposes Prometheus metrics behind the token", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const body = await res.text();
    expect(body).toMatch(/^herald_tasks\{status="scheduled"\} [1-9]\d*$/m);
    expect(body).toMatch(/^herald_queue_jobs\{queue="fire",state="delayed"\} \d+$/m);
    expect(body).toContain("herald_run_lateness_ms_bucket");
    expect(body).toMatch(/^herald_queue_workers\{queue="fire"\} 0$/m);
    expect(body).toContain("herald_llm_tokens_last_hour");
    expect(body).toContain("herald_process_resident_memory_bytes");
  });
});
