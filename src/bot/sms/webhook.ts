import type { ServerResponse } from "node:http";
import twilio from "twilio";
import type { User } from "../../db/index.js";
import { HeraldError } from "../../errors/index.js";
import { send, type HttpServer } from "../../http/index.js";
import { maskPhone } from "../../log/index.js";
import { fitSegments } from "../../notify/segments.js";
import { publicEndpoint } from "../../notify/twilio.js";
import type { Runtime } from "../../runtime/index.js";
import { actOnReminder, lastFiredTask } from "../reminders.js";
import type { InboundMessage } from "../types.js";
import { findOrCreateUser } from "../users.js";
import { SMS_HELP, SMS_OPTED_IN, SMS_OPTED_OUT, keywordOf } from "./keywords.js";
import { deliveryStatusOf, statusesBelow } from "./status.js";
import { twiml } from "./twiml.js";

type Req = Parameters<Parameters<HttpServer["route"]>[2]>[0];
const E164 = /^\+[1-9]\d{6,14}$/;

const replyTwiml = (res: ServerResponse, text?: string | null) => {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
  res.end(twiml(text));
};

/** Mounts Twilio's messaging webhooks: POST /sms/inbound (replies in TwiML) and POST /sms/status. */
export function mountSms(http: HttpServer, rt: Runtime): void {
  const { TWILIO_AUTH_TOKEN: token, PUBLIC_URL: base, SMS_MAX_SEGMENTS: maxSegments } = rt.config;
  if (!token || !base)
    throw new HeraldError(
      "herald_sms_config",
      "SMS needs TWILIO_AUTH_TOKEN and PUBLIC_URL to check Twilio's signatures",
    );

  /** Form params when Twilio's signature over PUBLIC_URL + path and the params checks out, else null. */
  const verified = (req: Req): Record<string, string> | null => {
    const params = Object.fromEntries(new URLSearchParams(req.rawBody.toString("utf8")));
    const signature = req.headers["x-twilio-signature"];
    if (typeof signature !== "string" || !signature) return null;
    return twilio.validateRequest(token, signature, publicEndpoint(base, req.url ?? "/"), params) ? params : null;
  };

  http.route("POST", "/sms/inbound", async (req, res) => {
    const p = verified(req);
    if (!p) {
      rt.logger.warn(
        { path: "/sms/inbound" },
        "rejected SMS webhook: missing or invalid X-Twilio-Signature (check TWILIO_AUTH_TOKEN and PUBLIC_URL)",
      );
      return send(res, 403, "invalid Twilio signature");
    }
    const { From: from, Body: body, MessageSid: sid } = p;
    if (!from || body === undefined || !sid || !E164.test(from))
      return send(res, 400, "a Twilio message webhook needs From (E.164), Body and MessageSid");
    const msg: InboundMessage = {
      channel: "sms",
      externalId: sid,
      text: body,
      identity: { phone: from },
      address: { phone: from },
      receivedAt: new Date(),
    };
    rt.logger.info({ from: maskPhone(from), sid }, "SMS received");
    replyTwiml(res, await answer(rt, msg, maxSegments));
  });

  http.route("POST", "/sms/status", async (req, res) => {
    const p = verified(req);
    if (!p) return send(res, 403, "invalid Twilio signature");
    const { MessageSid: sid, MessageStatus: status, ErrorCode: errorCode } = p;
    if (!sid || !status) return send(res, 400, "a Twilio status callback needs MessageSid and MessageStatus");
    const next = deliveryStatusOf(status);
    if (next) await recordStatus(rt, sid, next, errorCode);
    res.writeHead(204).end();
  });
}

/** The immediate reply to one inbound SMS (null: answer with an empty TwiML response). */
async function answer(rt: Runtime, msg: InboundMessage, maxSegments: number): Promise<string | null> {
  const keyword = keywordOf(msg.text);
  const user = await findOrCreateUser(rt.db.prisma, msg, rt.config.DEFAULT_TIMEZONE);
  if (!keyword && !user.optedOut) {
    const out = await rt.conversation.handle(msg);
    return out.duplicate ? null : fitSegments(out.reply.text, maxSegments);
  }
  // Keywords and opted-out senders are answered here; the message is still stored once, keyed by its sid.
  const stored = await rt.db.prisma.message
    .create({
      data: {
        userId: user.id,
        direction: "in",
        channel: "sms",
        externalId: msg.externalId,
        body: msg.text,
        address: msg.address as object,
        status: "received",
      },
    })
    .catch((err: { code?: string }) => {
      if (err.code === "P2002") return null;
      throw err;
    });
  if (!stored) return null;
  const reply = await keywordReply(rt, user, keyword);
  await rt.db.prisma.$transaction([
    rt.db.prisma.message.update({ where: { id: stored.id }, data: { status: "handled" } }),
    ...(reply
      ? [
          rt.db.prisma.message.create({
            data: { userId: user.id, direction: "out", channel: "sms", body: reply, address: msg.address as object },
          }),
        ]
      : []),
  ]);
  return reply ? fitSegments(reply, maxSegments) : null;
}

async function keywordReply(rt: Runtime, user: User, keyword: ReturnType<typeof keywordOf>): Promise<string | null> {
  const prisma = rt.db.prisma;
  switch (keyword) {
    case "opt_out":
      await prisma.user.update({ where: { id: user.id }, data: { optedOut: true, optedOutAt: new Date() } });
      rt.logger.info({ phone: maskPhone(user.phone), userId: user.id }, "SMS opt-out");
      return SMS_OPTED_OUT;
    case "opt_in":
      await prisma.user.update({ where: { id: user.id }, data: { optedOut: false, optedOutAt: null } });
      return SMS_OPTED_IN;
    default:
      // Opted out: nothing goes to the number, not even a reply, until START.
      if (user.optedOut) return null;
      if (keyword === "help") return SMS_HELP;
      {
        const task = await lastFiredTask(prisma, user.id);
        if (!task) return "There's no reminder to mark done yet. Reply HELP for what I can do.";
        return actOnReminder(
          { prisma, tasks: rt.tasks, timers: rt.timers, now: () => new Date() },
          user.id,
          task.id,
          "done",
        ).catch((err) => {
          if (err instanceof HeraldError) return err.message;
          throw err;
        });
      }
  }
}

/**
 * Moves the delivery with this Twilio sid forward (never back: see status.ts). The callback can beat the
 * delivery worker's own update that stores the sid, so an unknown sid is looked for again for a few seconds.
 */
async function recordStatus(rt: Runtime, sid: string, next: string, errorCode?: string): Promise<void> {
  const error = errorCode
    ? `Twilio ${errorCode}${errorCode === "21610" ? ": recipient unsubscribed (STOP)" : ""}`
    : null;
  for (let attempt = 0; attempt < 15; attempt++) {
    const known = await rt.db.pool.query<{ user_id: string }>(
      `UPDATE deliveries SET status = CASE WHEN status::text = ANY($3::text[]) THEN $2::"DeliveryStatus" ELSE status END,
              error = COALESCE($4, error), updated_at = now()
        WHERE provider_id = $1 RETURNING user_id`,
      [sid, next, statusesBelow(next), error],
    );
    if (known.rowCount) {
      if (errorCode === "21610")
        await rt.db.pool.query(`UPDATE users SET opted_out = true, opted_out_at = now() WHERE id = $1`, [
          known.rows[0]!.user_id,
        ]);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  rt.logger.warn({ sid, status: next }, "SMS status callback for a message we have no delivery for");
}
