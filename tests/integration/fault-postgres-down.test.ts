import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { type FakeTwilio, startFakeTwilio, twilioSignature } from "../fakes/twilio.js";
import { eventually, startTestRuntime } from "../helpers/runtime.js";
import { OwnPostgres } from "../helpers/throwaway-servers.js";

const SID = `AC${"2".repeat(32)}`;
const TOKEN = "twilio-auth-token";
const FROM = "+15550002222";
const PUBLIC_URL = "https://herald.example.test";

const phone = () => `+1555${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, "0")}`;
const msid = () => `SM${randomBytes(16).toString("hex")}`;

interface Sms {
  from: string;
  body: string;
  sid: string;
}

/**
 * Issue #12: Postgres going away while Twilio posts messages. A webhook Herald cannot store is answered
 * 5xx, so Twilio tries again; once Postgres is back the same webhook (same MessageSid) is taken and
 * answered once, and what was acked before the stop is handled and answered once too. The cluster is the
 * test's own (stopping the shared one would break every other test run).
 */
describe("Postgres goes away while SMS webhooks arrive", () => {
  let pgsrv: OwnPostgres;
  let rt: Runtime;
  let twilio: FakeTwilio;
  let local: string;

  beforeAll(async () => {
    pgsrv = await OwnPostgres.start();
    twilio = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
    rt = await startTestRuntime({
      env: {
        DATABASE_URL: pgsrv.url("herald"),
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM_NUMBER: FROM,
        TWILIO_API_URL: twilio.url,
        PUBLIC_URL,
      },
      parts: { http: true },
    });
    local = `http://127.0.0.1:${rt.port}`;
  }, 60_000);
  afterAll(async () => {
    await rt?.close();
    await twilio?.close();
    await pgsrv?.destroy();
  });

  /** Posts an inbound-message webhook as Twilio does: form-encoded, signed over PUBLIC_URL + path. */
  async function post(m: Sms) {
    const all = { AccountSid: SID, To: FROM, NumMedia: "0", ApiVersion: "2010-04-01", From: m.from, Body: m.body };
    const params = { ...all, MessageSid: m.sid, SmsMessageSid: m.sid };
    const started = Date.now();
    const res = await fetch(`${local}/sms/inbound`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(TOKEN, `${PUBLIC_URL}/sms/inbound`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text(), ms: Date.now() - started };
  }
  const messages = (n: number, what: string): Sms[] =>
    Array.from({ length: n }, (_, i) => ({
      from: phone(),
      body: `remind me in 2 hours to ${what} ${i}`,
      sid: msid(),
    }));

  it("answers 503 while it cannot store a message, takes the retried webhook once it can, and answers every message once", {
    timeout: 40_000,
  }, async () => {
    const before = messages(5, "stretch");
    const during = messages(5, "water the plants");
    const twimlReplies = new Map<string, number>();
    const countTwiml = (m: Sms, text: string) => {
      if (/<Message>/.test(text)) twimlReplies.set(m.from, (twimlReplies.get(m.from) ?? 0) + 1);
    };

    for (const r of await Promise.all(before.map(async (m) => ({ m, res: await post(m) })))) {
      expect(r.res.status).toBe(200);
      countTwiml(r.m, r.res.text);
    }
    // Stopped at once, while the answers to these may still be on their way.
    await pgsrv.stopServer();

    const whileDown = await Promise.all(during.map(post));
    expect(whileDown.map((r) => r.status)).toEqual(Array(5).fill(503));
    // Well inside Twilio's 15 s, so Twilio sees the failure rather than a timeout.
    expect(Math.max(...whileDown.map((r) => r.ms))).toBeLessThan(5000);

    await pgsrv.startServer();
    // Twilio retries the same webhooks; each is answered 503 until Herald can store it, then 200.
    await Promise.all(
      during.map(async (m) => {
        for (;;) {
          const res = await post(m);
          expect([200, 503]).toContain(res.status);
          if (res.status === 200) return countTwiml(m, res.text);
          await new Promise((r) => setTimeout(r, 250));
        }
      }),
    );

    const all = [...before, ...during];
    const answers = (m: Sms) =>
      (twimlReplies.get(m.from) ?? 0) + twilio.sent.filter((s) => s.to === m.from && /✓/.test(s.body)).length;
    await eventually(() => all.every((m) => answers(m) >= 1), "every message answered", 25_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}; answers: ${all.map(answers).join(", ")}`);
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(all.map(answers)).toEqual(Array(10).fill(1));

    const stored = await rt.db.pool.query<{ external_id: string; n: number }>(
      `SELECT external_id, count(*)::int AS n FROM messages WHERE direction = 'in' AND external_id = ANY($1) GROUP BY 1`,
      [all.map((m) => m.sid)],
    );
    expect(stored.rows.map((r) => r.n)).toEqual(Array(10).fill(1));
    const tasks = await rt.db.pool.query<{ phone: string; title: string }>(
      `SELECT u.phone, t.title FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.phone = ANY($1)`,
      [all.map((m) => m.from)],
    );
    expect(tasks.rows.map((r) => r.phone).sort()).toEqual(all.map((m) => m.from).sort());
  });

  it("answers a message whose worker took it while Postgres was away within seconds of its return, not at the next resume pass", {
    timeout: 40_000,
  }, async () => {
    // Stored and acked (the inbox row), and handed to the workers only once Postgres has gone: the worker
    // cannot claim it, as happens when a worker is busy when the outage starts.
    const m: Sms = { from: phone(), body: "remind me in 3 hours to call the bank", sid: msid() };
    const inboxId = await rt.messages.recordPending("sms", m.sid, m.body, m, new Date());
    expect(inboxId).not.toBeNull();
    await pgsrv.stopServer();
    const queue = new Queue("inbox-sms", { connection: rt.redis, prefix: rt.config.REDIS_PREFIX });
    try {
      await queue.add("sms", { inboxId }, { jobId: `sms-${inboxId}`, removeOnComplete: true, removeOnFail: true });
      await eventually(async () => (await queue.getJobCounts("wait")).wait === 0, "the worker to take the job");
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await pgsrv.startServer();
      await queue.close();
    }
    const replied = () => twilio.sent.filter((s) => s.to === m.from && /✓/.test(s.body));
    // The resume loop would take it only after a minute; the worker's own retries take it now.
    await eventually(() => replied().length === 1, "the reply", 15_000, 100);
    await new Promise((r) => setTimeout(r, 1000));
    expect(replied()).toHaveLength(1);
  });
});
