import { seedSmsBurst } from "../helpers/sms-burst.js";
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeTwilio, type FakeTwilio } from "../fakes/twilio.js";
import { eventually, startTestRuntime } from "../helpers/runtime.js";

const workerFile = fileURLToPath(new URL("../helpers/sms-worker-process.ts", import.meta.url));
const SID = `AC${"3".repeat(32)}`;
const TOKEN = "twilio-auth-token";
const FROM = "+15550003333";
const TASKS = 200;
const LEASE_MS = 3000;
// Per worker: at most this many sends in flight, so the killed worker dies with about this many.
const CONCURRENCY = 20;
// The kill comes once this many messages were accepted: both workers are in the middle of the burst.
const KILL_AFTER = 60;

/**
 * Issue #12, item 2: a worker SIGKILLed with deliveries in flight. Its rows are taken over by the other
 * worker once their lease lapses; Twilio can be asked whether it already has a message, so nothing is
 * sent twice, and nothing waits more than a few lease times.
 */
describe("a worker SIGKILLed with SMS deliveries in flight", () => {
  let front: Runtime;
  let twilio: FakeTwilio;
  const children: ChildProcess[] = [];
  let killed: { child: ChildProcess; inFlight: number; at: number } | undefined;

  beforeAll(async () => {
    twilio = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
    // Every answer takes 400 ms, so a worker always has sends in flight during the burst.
    twilio.hooks.delayMs = 400;
    // This runtime only reads the rows: it runs no workers.
    front = await startTestRuntime({ parts: { worker: false } });
    const env = {
      DATABASE_URL: front.config.DATABASE_URL,
      REDIS_URL: front.config.REDIS_URL,
      REDIS_PREFIX: front.config.REDIS_PREFIX,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM_NUMBER: FROM,
      TWILIO_API_URL: twilio.url,
      PUBLIC_URL: "https://herald.example.test",
      SMS_RATE_PER_S: "1000",
      LEASE_MS: String(LEASE_MS),
      DELIVERY_CONCURRENCY: String(CONCURRENCY),
    };
    const ready: Promise<unknown>[] = [];
    for (let i = 0; i < 2; i++) {
      const child = fork(workerFile, [JSON.stringify(env)], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.push(child);
      ready.push(new Promise((r) => child.on("message", (m) => (m as { ready?: boolean }).ready && r(null))));
    }
    await Promise.all(ready);
    twilio.hooks.afterAccept = async () => {
      if (twilio.sent.length !== KILL_AFTER) return;
      // The worker with the most sends in flight right now (deliveries.owner names its process) dies.
      const sending = await front.db.prisma.delivery.findMany({
        where: { status: "sending" },
        select: { owner: true },
      });
      const inFlight = (c: ChildProcess) => sending.filter((d) => d.owner?.split(":")[1] === String(c.pid)).length;
      const victim = children.reduce((a, b) => (inFlight(b) > inFlight(a) ? b : a));
      victim.kill("SIGKILL");
      killed = { child: victim, inFlight: inFlight(victim), at: Date.now() };
    };
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await front?.close();
    await twilio?.close();
  });

  // What Herald records once Twilio took a message: its answer (queued), or a status callback after it.
  const accepted = new Set(["queued", "sent", "delivered"]);

  it("delivers every message of a 200-task burst within a few leases, none twice", async () => {
    const phones = await seedSmsBurst(front.db.prisma, TASKS, 4_000_000, "wkill");

    const { child, inFlight, at: killedAt } = await eventually(() => killed, "the kill", 30_000);
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
    const rows = await eventually(
      async () => {
        const r = await front.db.prisma.delivery.findMany({ where: { channel: "sms" } });
        return r.length === TASKS && r.every((d) => accepted.has(d.status)) ? r : null;
      },
      "every delivery recorded as accepted by Twilio",
      45_000,
      100,
    );
    const recoveredMs = Math.max(...rows.map((d) => d.updatedAt.getTime())) - killedAt;
    // A send again would come at the next takeover or retry: give it the time to show.
    await new Promise((r) => setTimeout(r, LEASE_MS));

    const perRecipient = new Map<string, number>();
    for (const m of twilio.sent) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
    const doubled = [...perRecipient.values()].filter((n) => n > 1).length;
    const lost = phones.filter((p) => !perRecipient.has(p)).length;
    const final = await front.db.prisma.delivery.findMany({ where: { channel: "sms" } });
    const takeovers = final.reduce((n, d) => n + d.takeovers, 0);
    const blindResends = final.reduce((n, d) => n + d.blindResends, 0);
    console.info(
      `fault-worker-kill: ${TASKS} deliveries, 1 of 2 workers killed after ${KILL_AFTER} accepted, ${inFlight} sends in flight: ${takeovers} taken over, ${blindResends} sent blind, ${doubled} doubled, ${lost} lost, all recorded ${recoveredMs} ms after the kill`,
    );
    // The killed worker had sends in flight: their rows were taken over, Twilio asked about each.
    expect(inFlight).toBeGreaterThan(0);
    expect(takeovers).toBeGreaterThan(0);
    expect({ sent: twilio.sent.length, doubled, lost, blindResends }).toEqual({
      sent: TASKS,
      doubled: 0,
      lost: 0,
      blindResends: 0,
    });
    const sids = new Map(twilio.sent.map((m) => [m.to, m.sid]));
    expect(final.filter((d) => d.providerId !== sids.get(d.recipient))).toEqual([]);
    // A lease to lapse, a sweep to find it, and the burst's remainder to send: well within five leases.
    expect(recoveredMs).toBeLessThan(5 * LEASE_MS);
  }, 90_000);
});
