import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../../src/tasks/index.js";
import { segmentCount } from "../../src/notify/sms/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeSmtp, type FakeSmtp } from "../fakes/smtp.js";
import { startFakeTwilio, type FakeTwilio } from "../fakes/twilio.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";

const SID = `AC${"2".repeat(32)}`;
const FROM_NUMBER = "+15550002222";
const FROM = "Herald <herald@example.test>";
/** Results with "LONG" in the title are long, to exercise the SMS-to-email routing. */
const LONG = Array.from({ length: 60 }, (_, i) => `Line ${i}: the quarterly numbers & <details> look fine.`).join("\n");
const executor: Executor = {
  execute: async ({ run }) => ({
    message: run.task.title.includes("LONG") ? `Report ready.\n${LONG}` : `⏰ ${run.task.title}`,
  }),
};

describe("email channel", () => {
  let rt: Runtime;
  let smtp: FakeSmtp;
  let twilio: FakeTwilio;

  beforeAll(async () => {
    smtp = await startFakeSmtp({ user: "herald", pass: "s3cret", reject: ["nobody@example.test"] });
    twilio = await startFakeTwilio({ accountSid: SID, authToken: "tok" });
    rt = await startTestRuntime({
      env: {
        SMTP_URL: smtp.url,
        EMAIL_FROM: FROM,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: "tok",
        TWILIO_FROM_NUMBER: FROM_NUMBER,
        TWILIO_API_URL: twilio.url,
        PUBLIC_URL: "https://herald.example.test",
        SMS_MAX_SEGMENTS: "2",
      },
      overrides: { executor },
    });
  });
  afterAll(async () => {
    await rt.close();
    await twilio.close();
    await smtp.close();
  });

  async function userWith(data: { email?: string; phone?: string }) {
    return rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("mail"), ...data } });
  }
  async function schedule(userId: string, title: string, channel: "email" | "sms") {
    return rt.tasks.create({
      userId,
      title,
      instruction: title,
      when: { runAt: new Date(Date.now() + 500) },
      timezone: "UTC",
      channel,
    });
  }
  const phone = () => `+1555${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, "0")}`;

  it("delivers an email task over SMTP from EMAIL_FROM with a plain text and an HTML part", async () => {
    const address = `${unique("u")}@example.test`;
    const user = await userWith({ email: address });
    const task = await schedule(user.id, "submit the expense report", "email");
    const [mail] = await eventually(() => (smtp.to(address).length ? smtp.to(address) : null), "the email");
    expect(mail!.from!.text).toBe(`"Herald" <herald@example.test>`);
    expect(mail!.subject).toMatch(/submit the expense report/);
    expect(mail!.text).toMatch(/⏰ submit the expense report/);
    expect(mail!.html).toMatch(/<p>⏰ submit the expense report<\/p>/);
    const d = await eventually(
      async () => rt.db.prisma.delivery.findFirst({ where: { taskId: task.id, status: "sent" } }),
      "the delivery sent",
    );
    expect(d.providerId).toBe(mail!.messageId);
  });

  it("escapes the result in the HTML part", async () => {
    const address = `${unique("u")}@example.test`;
    const user = await userWith({ email: address });
    await schedule(user.id, "LONG report", "email");
    const [mail] = await eventually(() => (smtp.to(address).length ? smtp.to(address) : null), "the email");
    expect(mail!.html).toMatch(/&amp; &lt;details&gt;/);
    expect(mail!.text).toMatch(/& <details>/);
  });

  it("sends a result too long for SMS by email, with a short SMS pointing to it", async () => {
    const address = `${unique("u")}@example.test`;
    const number = phone();
    const user = await userWith({ email: address, phone: number });
    await schedule(user.id, "LONG numbers", "sms");
    const sms = await eventually(() => twilio.sent.find((s) => s.to === number), "the pointer SMS");
    const [mail] = await eventually(
      () => (smtp.to(address).length ? smtp.to(address) : null),
      "the email with the result",
    );
    expect(mail!.text).toMatch(/Line 59: the quarterly numbers/);
    expect(sms.body).toMatch(/Report ready/);
    expect(sms.body).toMatch(/email/);
    expect(sms.body).not.toMatch(/Line 1:/);
    expect(segmentCount(sms.body)).toBe(1);
  });

  it("cuts a result too long for SMS to SMS_MAX_SEGMENTS when the user has no email address", async () => {
    const number = phone();
    const user = await userWith({ phone: number });
    await schedule(user.id, "LONG again", "sms");
    const sms = await eventually(() => twilio.sent.find((s) => s.to === number), "the SMS");
    expect(segmentCount(sms.body)).toBe(2);
    expect(sms.body).toMatch(/^Report ready\.\nLine 0:/);
    expect(sms.body.endsWith("...")).toBe(true);
  });

  it("fails a delivery for good when the SMTP server refuses the mailbox (550)", async () => {
    const user = await userWith({ email: "nobody@example.test" });
    const task = await schedule(user.id, "never arrives", "email");
    const d = await eventually(
      async () => rt.db.prisma.delivery.findFirst({ where: { taskId: task.id, status: "failed" } }),
      "the delivery failed",
    );
    expect(d.attempts).toBe(1);
    expect(d.error).toMatch(/550/);
  });
});
