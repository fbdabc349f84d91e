import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { type Interpreter, offlineInterpreter } from "../../src/ai/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeTwilio, twilioSignature, type FakeTwilio } from "../fakes/twilio.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { OwnRedis } from "../helpers/throwaway-servers.js";

/**
 * How an inbound SMS is answered when its answer is not ready at once: `herald serve` (HTTP only) stores
 * and acks every message, answers in the TwiML only what is ready within SMS_REPLY_BUDGET_MS, and hands
 * what it cannot start at once to the `herald worker` processes, which answer through the REST API (the
 * outbox), once.
 */

const SID = `AC${"2".repeat(32)}`;
const TOKEN = "twilio-auth-token";
const FROM = "+15550002222";
const PUBLIC_URL = "https://herald.example.test";
const EMPTY_TWIML = /^<\?xml[^>]*\?><Response><\/Response>$/;

const phone = () => `+1555${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, "0")}`;
const msid = () => `SM${randomBytes(16).toString("hex")}`;

/** The offline interpreter, except that a message saying "slowly" waits until the test lets it go. */
function gatedInterpreter() {
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  const state = {
    /** "slowly" messages waiting at the gate. */
    waiting: 0,
    interpreter: {
      async interpret(text, ctx) {
        if (/slowly/.test(text)) {
          state.waiting++;
          await gate;
          state.waiting--;
        }
        return offlineInterpreter.interpret(text, ctx);
      },
    } as Interpreter,
    release: () => open(),
    reset: () => {
      gate = new Promise<void>((r) => (open = r));
    },
  };
  return state;
}

describe("SMS answers that are not ready at once", () => {
  let twilio: FakeTwilio;
  const gated = gatedInterpreter();
  const running: Runtime[] = [];
  let prefix: string;

  beforeAll(async () => {
    twilio = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
  });
  afterEach(async () => {
    gated.release();
    await Promise.all(running.splice(0).map((r) => r.close()));
    gated.reset();
  });
  afterAll(() => twilio.close());

  /** `herald serve` or `herald worker` on one database and one Redis prefix (new for each test). */
  const start = async (part: "serve" | "worker", env: Record<string, string> = {}) => {
    const rt = await startTestRuntime({
      env: {
        ...twilio.env(FROM, PUBLIC_URL),
        REDIS_PREFIX: prefix,
        ...env,
      },
      parts: part === "serve" ? { http: true, worker: false } : { http: false, worker: true },
      overrides: { interpreter: gated.interpreter },
    });
    running.push(rt);
    return rt;
  };
  const fresh = () => {
    prefix = unique("sms-replies");
  };

  async function text(serve: Runtime, from: string, body: string, sid = msid()) {
    const params = { AccountSid: SID, To: FROM, From: from, Body: body, MessageSid: sid, NumMedia: "0" };
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${serve.port}/sms/inbound`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(TOKEN, `${PUBLIC_URL}/sms/inbound`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text(), ms: performance.now() - t0, sid };
  }
  const sentTo = (to: string) => twilio.sent.filter((s) => s.to === to);
  const inboxRows = (rt: Runtime, sid: string) => rt.db.prisma.message.count({ where: { externalId: `inbox:${sid}` } });
  const stored = (rt: Runtime, sid: string) => rt.db.prisma.message.count({ where: { externalId: sid } });

  it("answers in the TwiML when a worker has the answer within SMS_REPLY_BUDGET_MS, and sends nothing more", async () => {
    fresh();
    // Generous, so the answer always makes it however loaded the machine is.
    const serve = await start("serve", { SMS_REPLY_BUDGET_MS: "10000" });
    await start("worker");
    const me = phone();
    const res = await text(serve, me, "remind me tomorrow at 9am to renew the passport");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Response><Message>✓ .*renew the passport.*<\/Message><\/Response>$/);
    await eventually(async () => (await inboxRows(serve, res.sid)) === 0, "the inbox row finished");
    await new Promise((r) => setTimeout(r, 1500));
    expect(sentTo(me)).toHaveLength(0);
    expect(await serve.db.prisma.delivery.count({ where: { recipient: me } })).toBe(1);
  });

  it("acks an answer not ready within SMS_REPLY_BUDGET_MS with empty TwiML, then sends it once through the REST API", async () => {
    fresh();
    const serve = await start("serve", { SMS_REPLY_BUDGET_MS: "100" });
    await start("worker");
    const me = phone();
    const res = await text(serve, me, "slowly: remind me in 3 hours to water the plants");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(EMPTY_TWIML);
    expect(sentTo(me)).toHaveLength(0);

    gated.release();
    const reply = await eventually(() => sentTo(me)[0], "the reply through the REST API");
    expect(reply.body).toMatch(/water the plants/);
    await eventually(async () => (await inboxRows(serve, res.sid)) === 0, "the inbox row finished");
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTo(me)).toHaveLength(1);
  });

  it("interprets nothing in the HTTP process: with no worker running a message waits, and the first worker to start answers it once", async () => {
    fresh();
    const serve = await start("serve");
    const me = phone();
    const res = await text(serve, me, "remind me on friday at 6pm to book the restaurant");
    expect(res.text).toMatch(EMPTY_TWIML);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inboxRows(serve, res.sid)).toBe(1);
    expect(await stored(serve, res.sid)).toBe(0);

    await start("worker");
    const reply = await eventually(() => sentTo(me)[0], "the reply once a worker runs");
    expect(reply.body).toMatch(/book the restaurant/);
    await eventually(async () => (await inboxRows(serve, res.sid)) === 0, "the inbox row finished");
    expect(await serve.db.prisma.task.count({ where: { user: { phone: me } } })).toBe(1);
  });

  it("answers once an SMS whose process died after acking it, when a worker resumes it", async () => {
    fresh();
    const worker = await start("worker");
    const me = phone();
    const sid = msid();
    const body = "remind me in 4 hours to move the car";
    // What a webhook leaves when its process dies right after the ack: the inbox row alone, two minutes old.
    const id = await worker.messages.recordPending(
      "sms",
      sid,
      body,
      { from: me, body, sid },
      new Date(Date.now() - 120_000),
    );
    expect(id).toBeTruthy();
    const reply = await eventually(() => sentTo(me)[0], "the resumed message's reply", 15_000);
    expect(reply.body).toMatch(/move the car/);
    await eventually(async () => (await inboxRows(worker, sid)) === 0, "the inbox row finished");
    expect(await stored(worker, sid)).toBe(1);
  });

  it("loses nothing when Redis is down as an SMS arrives: acked at once, answered once when Redis is back", async () => {
    fresh();
    const redis = await OwnRedis.start();
    try {
      const env = { REDIS_URL: redis.url };
      const serve = await start("serve", env);
      await start("worker", env);
      // Running: a first message is answered before Redis goes.
      const before = await text(serve, phone(), "remind me in 5 hours to check the oven");
      await eventually(async () => (await inboxRows(serve, before.sid)) === 0, "the first message handled");
      await redis.stop();
      const me = phone();
      const res = await text(serve, me, "remind me next monday at 10am to pay rent");
      expect(res.status).toBe(200);
      expect(res.text).toMatch(EMPTY_TWIML);
      // Stored before the ack: Postgres holds it while Redis is away.
      expect(await inboxRows(serve, res.sid)).toBe(1);
      // Longer than a hand-off may take: the HTTP process takes the message back and handles it itself,
      // and the job Redis takes once it is back finds it claimed.
      await new Promise((r) => setTimeout(r, 3000));
      await redis.startServer();
      const reply = await eventually(() => sentTo(me)[0], "the reply once Redis is back", 30_000);
      expect(reply.body).toMatch(/pay rent/);
      await eventually(async () => (await inboxRows(serve, res.sid)) === 0, "the inbox row finished");
      await new Promise((r) => setTimeout(r, 1000));
      expect(sentTo(me)).toHaveLength(1);
      expect(await serve.db.prisma.task.count({ where: { user: { phone: me } } })).toBe(1);
    } finally {
      gated.release();
      await Promise.all(running.splice(0).map((r) => r.close()));
      await redis.stop();
    }
  });
});
