import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/errors/index.js";
import type { OutboundMessage, SendResult, Sender } from "../../src/notify/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";

const TOKEN = "truth-admin-token-0123456789";

/** A console sender an operator's incident can break: while `down`, every send fails (retryably). */
class SwitchableSender implements Sender {
  readonly channel = "console";
  readonly sent: OutboundMessage[] = [];
  down = false;
  async send(m: OutboundMessage): Promise<SendResult> {
    if (this.down) throw new ProviderError("retryable", "console provider is down", { provider: "console" });
    this.sent.push(m);
    return { status: "delivered", providerId: `p-${this.sent.length}` };
  }
}

/**
 * Success means the message reached its owner, and an operator can act on what did not: re-send without
 * running the task again, pause a channel and have its messages go out on resume, tell the owner of an
 * approval.
 */
describe("the truth about deliveries, and acting on it", () => {
  let rt: Runtime;
  let base: string;
  const sender = new SwitchableSender();
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    rt = await startTestRuntime({
      env: { ADMIN_TOKEN: TOKEN, DELIVERY_ATTEMPTS: "2", RETRY_BASE_MS: "50", RETRY_MAX_DELAY_MS: "100" },
      parts: { worker: true, http: true },
      overrides: { senders: [sender] },
    });
    base = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => rt?.close());

  async function reminder(title: string, contact: { consoleName?: string } = { consoleName: unique("truth") }) {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", ...contact } });
    return rt.tasks.create({
      userId: user.id,
      title,
      instruction: title,
      when: { runAt: new Date(Date.now() + 200) },
      timezone: "UTC",
      channel: "console",
    });
  }
  const runOf = (taskId: string) =>
    rt.db.prisma.taskRun.findFirst({ where: { taskId }, include: { deliveries: true } });

  it("fails the run and its one-off task when the message failed for good, and re-sends it without running again", async () => {
    sender.down = true;
    const t = await reminder(unique("call the bank"));
    const run = await eventually(async () => {
      const r = await runOf(t.id);
      return r?.status === "failed" ? r : null;
    }, "the run failed by its message");
    expect(run.error).toMatch(/^not delivered: console provider is down/);
    expect(run.deliveries.map((d) => d.status)).toEqual(["failed"]);
    expect((await rt.tasks.get(t.id))!.status).toBe("failed");
    const listed = await fetch(`${base}/admin/api/tasks?status=failed&text=${encodeURIComponent(t.title)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json() as Promise<{ tasks: { id: string }[] }>);
    expect(listed.tasks.map((x) => x.id)).toEqual([t.id]);
    const sitrep = await fetch(`${base}/admin/api/sitrep?window=1h`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json() as Promise<{ failures: { kind: string; title: string | null }[] }>);
    expect(sitrep.failures.some((f) => f.kind === "delivery" && f.title === t.title)).toBe(true);

    sender.down = false;
    const sentBefore = sender.sent.length;
    const retry = await post(`/admin/api/tasks/${t.id}/retry`);
    expect(retry.status).toBe(200);
    expect(retry.body.message).toBe(`Re-sending 1 failed message of "${t.title}".`);
    await eventually(async () => (await runOf(t.id))?.status === "succeeded", "the run succeeded once re-sent");
    expect(sender.sent.slice(sentBefore).map((m) => m.body)).toEqual([run.deliveries[0]!.body]);
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: t.id } })).toBe(1);
    expect((await rt.tasks.get(t.id))!.status).toBe("completed");
    const audit = await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: t.id, action: "resend" } });
    expect(audit.actor).toBe("admin:api");
  });

  it("does not count a run that reached nobody as a success", async () => {
    const t = await reminder(unique("text me the code"), {});
    const run = await eventually(async () => {
      const r = await runOf(t.id);
      return r?.status === "failed" ? r : null;
    }, "the run failed for want of an address");
    expect(run.error).toContain("nobody to deliver to: the owner has no console address");
    expect((await rt.tasks.get(t.id))!.status).toBe("failed");
  });

  it("holds a paused channel's messages and sends them on resume", async () => {
    expect((await post(`/admin/api/channels/console/pause`, { reason: "provider incident" })).status).toBe(200);
    // Workers read the paused channels at most every 2 s.
    await new Promise((r) => setTimeout(r, 2100));
    const t = await reminder(unique("stretch"));
    const held = await eventually(async () => {
      const r = await runOf(t.id);
      return r?.deliveries[0]?.status === "held" ? r.deliveries[0] : null;
    }, "the message held");
    expect(held.attempts).toBe(0);
    const resumed = await post(`/admin/api/channels/console/resume`);
    expect(resumed.body.message).toMatch(/^Resumed console: \d+ held messages? going out\.$/);
    await eventually(
      async () => (await rt.db.prisma.delivery.findUniqueOrThrow({ where: { id: held.id } })).status === "delivered",
      "the held message delivered after resume",
    );
    const events = await rt.db.prisma.auditLog.findMany({
      where: { action: { in: ["channel_pause", "channel_resume"] } },
    });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ["channel_pause", "admin:api"],
      ["channel_resume", "admin:api"],
    ]);
  });

  it("tells the owner when an admin approves their held task", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("owner") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "remind Sam",
      instruction: "remind Sam",
      when: { runAt: new Date(Date.now() + 3_600_000) },
      timezone: "UTC",
      channel: "console",
      audience: "+15550009999",
    });
    await post(`/admin/api/tasks/${t.id}/approve`);
    await eventually(
      () => sender.sent.some((m) => m.recipient === user.consoleName && m.body.includes('approved "remind Sam"')),
      "the owner told",
    );
  });

  it("gives up a failing message once it is too late to be useful (the task's cut-off)", async () => {
    sender.down = true;
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("late") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "leave for the 9:00 train",
      instruction: "leave now",
      when: { runAt: new Date(Date.now() - 120_000) },
      timezone: "UTC",
      channel: "console",
    });
    await rt.tasks.apply(t.id, { action: "set_cutoff", usefulForMs: 60_000 }, { kind: "admin", name: "admin:test" });
    const run = await eventually(async () => {
      const r = await runOf(t.id);
      return r?.deliveries[0]?.status === "failed" ? r : null;
    }, "the late message given up");
    sender.down = false;
    expect(run.deliveries[0]!.attempts).toBe(1);
    expect(run.deliveries[0]!.error).toContain("given up: too late to be useful");
  });
});
