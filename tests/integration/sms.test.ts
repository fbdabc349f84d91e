import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keywordOf } from "../../src/bot/sms/index.js";
import { advances, deliveryStatusOf } from "../../src/notify/sms/index.js";
import { segmentCount } from "../../src/notify/sms/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeTwilio, twilioSignature, type FakeTwilio } from "../fakes/twilio.js";
import { eventually, startTestRuntime } from "../helpers/runtime.js";

const SID = `AC${"1".repeat(32)}`;
const TOKEN = "twilio-auth-token";
const FROM = "+15550001111";
// Twilio reaches Herald through a proxy at this address; signatures are over it, never over Host.
const PUBLIC_URL = "https://herald.example.test";

const phone = () => `+1555${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, "0")}`;
const msid = () => `SM${randomBytes(16).toString("hex")}`;

describe("SMS channel", () => {
  let rt: Runtime;
  let twilio: FakeTwilio;
  let local: string;

  beforeAll(async () => {
    twilio = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
    rt = await startTestRuntime({
      env: {
        ...twilio.env(FROM, PUBLIC_URL),
        SMS_MAX_SEGMENTS: "2",
        // Generous, so these answers always come back in the TwiML however loaded the machine is; the
        // budget running out is specified in sms-replies.test.ts.
        SMS_REPLY_BUDGET_MS: "10000",
      },
      parts: { http: true },
    });
    local = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => {
    await rt.close();
    await twilio.close();
  });

  /** Posts an inbound-message webhook as Twilio does: form-encoded and signed over PUBLIC_URL + path. */
  async function inbound(
    params: Record<string, string>,
    sign: (p: Record<string, string>) => string | undefined = (p) =>
      twilioSignature(TOKEN, `${PUBLIC_URL}/sms/inbound`, p),
  ) {
    const all = { AccountSid: SID, To: FROM, NumMedia: "0", ApiVersion: "2010-04-01", ...params };
    const signature = sign(all);
    const res = await fetch(`${local}/sms/inbound`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(signature ? { "x-twilio-signature": signature } : {}),
      },
      body: new URLSearchParams(all).toString(),
    });
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  }
  const text = (from: string, body: string, sid = msid()) =>
    inbound({ From: from, Body: body, MessageSid: sid, SmsMessageSid: sid });
  const sentTo = (to: string) => twilio.sent.filter((s) => s.to === to);
  const tasksOf = (p: string) => rt.db.prisma.task.findMany({ where: { user: { phone: p } } });

  it("answers a request in TwiML, then sends the reminder through the REST API and records its status callbacks", async () => {
    const me = phone();
    const res = await text(me, "remind me in 2 seconds to stretch");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(res.text).toMatch(/^<\?xml[^>]*\?><Response><Message>✓ .*stretch.*<\/Message><\/Response>$/);
    const [task] = await tasksOf(me);
    expect(task!.channel).toBe("sms");

    const sms = await eventually(() => sentTo(me)[0], "the reminder SMS");
    expect(sms.from).toBe(FROM);
    expect(sms.body).toMatch(/stretch/);
    const delivery = await eventually(
      async () => rt.db.prisma.delivery.findFirst({ where: { taskId: task!.id } }),
      "the delivery row",
    );
    // Twilio's reports name the delivery too, so one can be recorded before (or without) its sid.
    expect(sms.statusCallback).toBe(`${PUBLIC_URL}/sms/status?d=${delivery.id}`);
    await eventually(
      async () => (await rt.db.prisma.delivery.findFirst({ where: { providerId: sms.sid } }))?.status === "queued",
      "the delivery queued with its sid",
    );

    expect((await twilio.callback(sms.sid, "sent", local)).status).toBe(204);
    expect((await rt.db.prisma.delivery.findFirstOrThrow({ where: { providerId: sms.sid } })).status).toBe("sent");
    await twilio.callback(sms.sid, "delivered", local);
    expect((await rt.db.prisma.delivery.findFirstOrThrow({ where: { providerId: sms.sid } })).status).toBe("delivered");
  });

  it("keeps a delivery delivered when a late 'sent' callback arrives after 'delivered'", async () => {
    const me = phone();
    await text(me, "remind me in 1 seconds to drink water");
    const sms = await eventually(() => sentTo(me)[0], "the reminder SMS");
    await eventually(async () => rt.db.prisma.delivery.findFirst({ where: { providerId: sms.sid } }), "the sid stored");
    await twilio.callback(sms.sid, "delivered", local);
    await twilio.callback(sms.sid, "sent", local);
    await twilio.callback(sms.sid, "queued", local);
    expect((await rt.db.prisma.delivery.findFirstOrThrow({ where: { providerId: sms.sid } })).status).toBe("delivered");
  });

  it("rejects a missing, a wrong, or a Host-based signature with 403 and stores nothing", async () => {
    const me = phone();
    const params = { From: me, Body: "remind me in 1 hour to hack", MessageSid: msid() };
    expect((await inbound(params, () => undefined)).status).toBe(403);
    expect((await inbound(params, () => "bm90IGEgc2lnbmF0dXJl")).status).toBe(403);
    // Signed for the address the request was sent to (what Host says): not PUBLIC_URL, so refused.
    expect((await inbound(params, (p) => twilioSignature(TOKEN, `${local}/sms/inbound`, p))).status).toBe(403);
    expect(await rt.db.prisma.user.count({ where: { phone: me } })).toBe(0);
    expect(await rt.db.prisma.message.count({ where: { externalId: params.MessageSid } })).toBe(0);
  });

  it("rejects a signed webhook missing From, Body or MessageSid with 400 and stores nothing", async () => {
    const me = phone();
    const sid = msid();
    expect((await inbound({ From: me, MessageSid: sid })).status).toBe(400);
    expect((await inbound({ Body: "hi", MessageSid: sid })).status).toBe(400);
    expect((await inbound({ From: me, Body: "remind me in 1 hour to x" })).status).toBe(400);
    expect(await rt.db.prisma.user.count({ where: { phone: me } })).toBe(0);
    expect(await rt.db.prisma.message.count({ where: { externalId: sid } })).toBe(0);
  });

  it("answers a MessageSid seen before without handling it again: one task", async () => {
    const me = phone();
    const sid = msid();
    const first = await text(me, "remind me in 1 hour to call mom", sid);
    const again = await text(me, "remind me in 1 hour to call mom", sid);
    expect(first.text).toMatch(/<Message>/);
    expect(again.status).toBe(200);
    expect(again.text).not.toMatch(/<Message>/);
    expect(await tasksOf(me)).toHaveLength(1);
  });

  it("STOP opts the number out and nothing is sent to it; HELP is not answered until START opts back in", async () => {
    const me = phone();
    await text(me, "remind me in 2 seconds to water plants");
    const stop = await text(me, "STOP");
    expect(stop.text).toMatch(/unsubscribed/);
    const user = await rt.db.prisma.user.findUniqueOrThrow({ where: { phone: me } });
    expect(user.optedOut).toBe(true);
    expect(user.optedOutAt).toBeInstanceOf(Date);

    const [task] = await tasksOf(me);
    await eventually(
      async () => (await rt.db.prisma.delivery.findFirst({ where: { taskId: task!.id } }))?.status === "failed",
      "the delivery refused",
      8000,
    );
    expect(sentTo(me)).toHaveLength(0);
    expect((await text(me, "HELP")).text).not.toMatch(/<Message>/);

    const start = await text(me, "start");
    expect(start.text).toMatch(/Welcome back/);
    expect((await rt.db.prisma.user.findUniqueOrThrow({ where: { phone: me } })).optedOut).toBe(false);
    expect((await text(me, "HELP")).text).toMatch(/Reply STOP/);
  });

  it("treats Twilio error 21610 as permanent: the delivery fails without retry and the user is opted out", async () => {
    const me = phone();
    twilio.failNext(400, 21610, "Attempt to send to unsubscribed recipient");
    await text(me, "remind me in 1 seconds to pay rent");
    const [task] = await tasksOf(me);
    const d = await eventually(
      async () => rt.db.prisma.delivery.findFirst({ where: { taskId: task!.id, status: "failed" } }),
      "the delivery failed",
    );
    expect(d.attempts).toBe(1);
    expect(d.error).toMatch(/21610/);
    expect((await rt.db.prisma.user.findUniqueOrThrow({ where: { phone: me } })).optedOut).toBe(true);
    expect(sentTo(me)).toHaveLength(0);
  });

  it("'done' after a reminder marks it done; 'snooze 10' brings it back in 10 minutes", async () => {
    const me = phone();
    await text(me, "remind me in 1 seconds to take pills");
    await eventually(() => sentTo(me)[0], "the reminder SMS");
    const [task] = await tasksOf(me);
    await eventually(async () => (await rt.tasks.get(task!.id))?.lastRunAt, "the run recorded");

    const snooze = await text(me, "snooze 10");
    expect(snooze.text).toMatch(/take pills/);
    expect((await rt.tasks.get(task!.id))!.status).toBe("scheduled");

    const done = await text(me, "done");
    expect(done.text).toMatch(/✓ "take pills" done/);
    expect((await rt.tasks.get(task!.id))!.status).toBe("cancelled");
    expect(await rt.db.prisma.auditLog.count({ where: { taskId: task!.id, action: "acknowledged" } })).toBe(1);
  });

  it("keeps the immediate reply within SMS_MAX_SEGMENTS", async () => {
    const me = phone();
    for (const chore of [
      "water the enormous fern collection",
      "sort the recycling by colour",
      "phone the plumber about the leak",
      "renew the library books",
      "book the annual dentist checkup",
      "order more printer paper",
    ])
      await text(me, `remind me in 3 hours to ${chore}`);
    const list = await text(me, "what are my reminders");
    const body = /<Message>([\s\S]*)<\/Message>/
      .exec(list.text)![1]!
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
    expect(segmentCount(body)).toBeLessThanOrEqual(2);
    expect(body).toMatch(/(\.\.\.|…)$/);
    expect(body).toMatch(/water the enormous fern collection/);
  });
});

describe("SMS rules", () => {
  it("ranks delivery statuses so they only move forward", () => {
    expect(advances("sending", "queued")).toBe(true);
    expect(advances("queued", "sent")).toBe(true);
    expect(advances("sent", "delivered")).toBe(true);
    expect(advances("delivered", "sent")).toBe(false);
    expect(advances("delivered", "queued")).toBe(false);
    expect(advances("failed", "delivered")).toBe(false);
    expect(advances("undelivered", "failed")).toBe(false);
  });

  it("maps Twilio's MessageStatus to ours, ignoring ones we don't track", () => {
    expect(deliveryStatusOf("accepted")).toBe("queued");
    expect(deliveryStatusOf("sending")).toBe("queued");
    expect(deliveryStatusOf("read")).toBe("delivered");
    expect(deliveryStatusOf("canceled")).toBe("failed");
    expect(deliveryStatusOf("receiving")).toBeNull();
  });

  it("treats only a whole-body carrier keyword as a keyword", () => {
    for (const w of ["STOP", "stop", "StopAll", "unsubscribe", "cancel", "end", "quit", "Stop."])
      expect(keywordOf(w)).toBe("opt_out");
    expect(keywordOf("start")).toBe("opt_in");
    expect(keywordOf("UNSTOP")).toBe("opt_in");
    expect(keywordOf("help")).toBe("help");
    expect(keywordOf("done")).toBeNull(); // a conversation: it can be undone, and answers in context
    expect(keywordOf("stop reminding me about the gym")).toBeNull();
    expect(keywordOf("cancel 2")).toBeNull();
  });
});
