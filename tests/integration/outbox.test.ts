import { afterEach, describe, expect, it } from "vitest";
import { noopOps } from "../../src/ops/index.js";
import { ProviderError } from "../../src/errors/index.js";
import type { OutboundMessage, SendResult, Sender } from "../../src/notify/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";

/** A console sender that answers each call from a script: an error to throw, or success. */
class ScriptedSender implements Sender {
  readonly channel = "console";
  readonly calls: OutboundMessage[] = [];
  constructor(
    private readonly script: (call: number) => Error | null = () => null,
    private readonly delayMs = 0,
  ) {}
  async send(m: OutboundMessage): Promise<SendResult> {
    this.calls.push(m);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const err = this.script(this.calls.length);
    if (err) throw err;
    return { status: "delivered", providerId: `prov-${this.calls.length}` };
  }
}

describe("the outbox: sending the messages runs produce", () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  async function start(sender: ScriptedSender, env: Record<string, string> = {}) {
    const failed: { id: string; channel: string; error: string }[] = [];
    rt = await startTestRuntime({
      env,
      overrides: { senders: [sender], ops: { ...noopOps, deliveryFailed: (d) => failed.push(d) } },
    });
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
    return { rt, failed, user };
  }

  const remind = (r: Runtime, userId: string, title: string, inMs = 200) =>
    r.tasks.create({
      userId,
      title,
      instruction: title,
      when: { runAt: new Date(Date.now() + inMs) },
      timezone: "UTC",
      channel: "console",
    });

  const deliveriesOf = (r: Runtime, taskId: string) => r.db.prisma.delivery.findMany({ where: { taskId } });

  it("records the provider's id and status, and counts the attempt", async () => {
    const sender = new ScriptedSender();
    const { rt, user } = await start(sender);
    const task = await remind(rt, user.id, "water the plants");
    await eventually(async () => (await deliveriesOf(rt, task.id))[0]?.status === "delivered", "the delivery recorded");
    const [d] = await deliveriesOf(rt, task.id);
    expect(d).toMatchObject({
      status: "delivered",
      providerId: "prov-1",
      attempts: 1,
      error: null,
      recipient: user.consoleName,
    });
    expect(sender.calls.map((c) => c.body)).toEqual(["⏰ water the plants"]);
  });

  it("retries a failing send with backoff and sends it once when the provider recovers", async () => {
    const sender = new ScriptedSender((n) =>
      n <= 2 ? new ProviderError("retryable", "provider returned 503", { provider: "test", status: 503 }) : null,
    );
    const { rt, failed, user } = await start(sender);
    const task = await remind(rt, user.id, "stretch");
    // Attempts at about 0, 2 and 4 s: the first retry waits 2 s, later ones back off exponentially from there.
    await eventually(
      async () => (await deliveriesOf(rt, task.id))[0]?.status === "delivered",
      "the delivery after two failures",
      20_000,
      100,
    );
    const [d] = await deliveriesOf(rt, task.id);
    expect(d).toMatchObject({ status: "delivered", attempts: 3, providerId: "prov-3", error: null });
    expect(sender.calls).toHaveLength(3);
    expect(failed).toEqual([]);
  });

  it("fails a delivery for good after DELIVERY_ATTEMPTS, and tells ops once", async () => {
    const sender = new ScriptedSender(() => new Error("connect ECONNREFUSED"));
    const { rt, failed, user } = await start(sender, { DELIVERY_ATTEMPTS: "2" });
    const task = await remind(rt, user.id, "pay rent");
    await eventually(() => failed.length === 1, "the ops hook", 20_000, 100);
    const [d] = await deliveriesOf(rt, task.id);
    expect(d).toMatchObject({ status: "failed", attempts: 2, error: "connect ECONNREFUSED" });
    expect(failed).toEqual([{ id: d!.id, channel: "console", error: "connect ECONNREFUSED" }]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(sender.calls).toHaveLength(2);
  });

  it("does not retry a permanent failure", async () => {
    const sender = new ScriptedSender(() => new ProviderError("permanent", "unknown recipient", { provider: "test" }));
    const { rt, failed, user } = await start(sender);
    const task = await remind(rt, user.id, "call mom");
    await eventually(() => failed.length === 1, "the ops hook");
    await new Promise((r) => setTimeout(r, 2500));
    expect(sender.calls).toHaveLength(1);
    expect((await deliveriesOf(rt, task.id))[0]).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("tries a 429 again after its Retry-After without counting it as an attempt", async () => {
    const limited = () =>
      new ProviderError("rate_limited", "429 Too Many Requests", { provider: "test", status: 429, retryAfterMs: 300 });
    // Five 429s in a row, with two attempts allowed: none of them counts, so the message still goes.
    const sender = new ScriptedSender((n) => (n <= 5 ? limited() : null));
    const { rt, failed, user } = await start(sender, { DELIVERY_ATTEMPTS: "2" });
    const task = await remind(rt, user.id, "feed the cat");
    await eventually(async () => (await deliveriesOf(rt, task.id))[0]?.status === "delivered", "delivered", 20_000);
    expect((await deliveriesOf(rt, task.id))[0]).toMatchObject({ status: "delivered", attempts: 1 });
    expect(sender.calls).toHaveLength(6);
    expect(failed).toEqual([]);
  });

  it("spaces the sends of one sender to its pace (messages per second per number or channel)", async () => {
    const key = unique("pace");
    const at: number[] = [];
    const sender = Object.assign(
      new ScriptedSender(() => {
        at.push(Date.now());
        return null;
      }),
      {
        pace: () => ({ key, perSecond: 5 }),
      },
    );
    const { rt, user } = await start(sender, { MAX_ACTIVE_TASKS: "100" });
    await Promise.all(Array.from({ length: 6 }, (_, i) => remind(rt, user.id, `paced ${i}`, 300)));
    await eventually(() => at.length >= 6, "6 sends", 20_000);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 5 a second: 200 ms apart (a few ms of timer slack either way).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
  });

  it("sends every message of a burst larger than its slots exactly once (the rest wait in the queue)", async () => {
    const sender = new ScriptedSender(() => null, 20);
    const { rt, user } = await start(sender, { DELIVERY_CONCURRENCY: "3", MAX_ACTIVE_TASKS: "100" });
    const tasks = await Promise.all(Array.from({ length: 40 }, (_, i) => remind(rt, user.id, `burst ${i}`, 300)));
    await eventually(() => sender.calls.length >= 40, "40 sends", 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sender.calls.map((c) => c.body).sort()).toEqual(tasks.map((t) => `⏰ ${t.title}`).sort());
    const rows = await rt.db.prisma.delivery.findMany({ where: { taskId: { in: tasks.map((t) => t.id) } } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ["delivered", 1]));
  });

  it("the sweep takes on what a crash left behind, and leaves sends in flight alone", async () => {
    const sender = new ScriptedSender();
    const { rt, user } = await start(sender);
    const row = (body: string, status: "pending" | "sending", ageMs: number, leaseMs?: number) =>
      rt.db.prisma.delivery.create({
        data: {
          userId: user.id,
          channel: "console",
          recipient: user.consoleName!,
          body,
          status,
          attempts: status === "sending" ? 1 : 0,
          owner: status === "sending" ? "some-other-worker" : null,
          attemptedAt: status === "sending" ? new Date(Date.now() - ageMs) : null,
          leaseUntil: leaseMs === undefined ? null : new Date(Date.now() + leaseMs),
          createdAt: new Date(Date.now() - ageMs),
          updatedAt: new Date(Date.now() - ageMs),
        },
      });
    // Written by a run whose process died before handing it over; claimed by a process that died mid-send.
    const neverHanded = await row("never handed over", "pending", 120_000);
    const diedSending = await row("died mid-send", "sending", 60_000, -1000);
    // Just written (its own process will send it), and being sent right now by another process.
    await row("just written", "pending", 0);
    await row("in flight elsewhere", "sending", 60_000, 20_000);

    expect(await rt.outbox!.sweep()).toBe(2);
    await eventually(() => sender.calls.length === 2, "the two re-sends");
    expect(sender.calls.map((c) => c.body).sort()).toEqual(["died mid-send", "never handed over"]);
    const after = await rt.db.prisma.delivery.findMany({ where: { id: { in: [neverHanded.id, diedSending.id] } } });
    const byBody = Object.fromEntries(after.map((d) => [d.body, d]));
    expect(byBody["never handed over"]).toMatchObject({ status: "delivered", takeovers: 0, blindResends: 0 });
    // The console cannot be asked whether the dead worker's send got through: sent again, and counted as such.
    expect(byBody["died mid-send"]).toMatchObject({ status: "delivered", attempts: 2, takeovers: 1, blindResends: 1 });
  });
});
