import type { ServerResponse } from "node:http";
import twilio from "twilio";
import { HeraldError } from "../../errors/index.js";
import { type HttpServer, send } from "../../http/index.js";
import { maskPhone } from "../../log/index.js";
import {
  deliveryStatusOf,
  fitSegments,
  publicEndpoint,
  type SmsSettings,
  statusesBelow,
} from "../../notify/sms/index.js";
import type { ChannelDeps } from "../channel.js";
import { actOnReminder } from "../reminders.js";
import type { InboundMessage } from "../types.js";
import type { User } from "../users.js";
import { keywordOf, SMS_HELP, SMS_OPTED_IN, SMS_OPTED_OUT } from "./keywords.js";
import { twiml } from "./twiml.js";

type Req = Parameters<Parameters<HttpServer["route"]>[2]>[0];
const E164 = /^\+[1-9]\d{6,14}$/;

export type SmsDeps = Pick<ChannelDeps, "conversation" | "users" | "messages" | "tasks" | "deliveryStatus" | "logger">;

const replyTwiml = (res: ServerResponse, text?: string | null) => {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
  res.end(twiml(text));
};

/** Mounts Twilio's messaging webhooks: POST /sms/inbound (replies in TwiML) and POST /sms/status. */
export function mountSms(http: HttpServer, d: SmsDeps, s: SmsSettings): undefined {
  /** Form params when Twilio's signature over PUBLIC_URL + path and the params checks out, else null. */
  const verified = (req: Req): Record<string, string> | null => {
    const params = Object.fromEntries(new URLSearchParams(req.rawBody.toString("utf8")));
    const signature = req.headers["x-twilio-signature"];
    if (typeof signature !== "string" || !signature) return null;
    return twilio.validateRequest(s.authToken, signature, publicEndpoint(s.publicUrl, req.url ?? "/"), params)
      ? params
      : null;
  };

  http.route("POST", "/sms/inbound", async (req, res) => {
    const p = verified(req);
    if (!p) {
      d.logger.warn(
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
    d.logger.info({ from: maskPhone(from), sid }, "SMS received");
    replyTwiml(res, await answer(d, msg, s.maxSegments));
  });

  http.route("POST", "/sms/status", async (req, res) => {
    const p = verified(req);
    if (!p) return send(res, 403, "invalid Twilio signature");
    const { MessageSid: sid, MessageStatus: status, ErrorCode: errorCode } = p;
    if (!sid || !status) return send(res, 400, "a Twilio status callback needs MessageSid and MessageStatus");
    const next = deliveryStatusOf(status);
    if (next) await recordStatus(d, sid, next, errorCode);
    res.writeHead(204).end();
  });
  return undefined;
}

/** The immediate reply to one inbound SMS (null: answer with an empty TwiML response). */
async function answer(d: SmsDeps, msg: InboundMessage, maxSegments: number): Promise<string | null> {
  const keyword = keywordOf(msg.text);
  const user = await d.users.findOrCreate(msg.identity, "sms");
  if (!keyword && !user.optedOut) {
    const out = await d.conversation.handle(msg);
    return out.duplicate ? null : fitSegments(out.reply.text, maxSegments);
  }
  // Keywords and opted-out senders are answered here; the message is still stored once, keyed by its sid.
  const stored = await d.messages.recordInbound({
    userId: user.id,
    channel: "sms",
    externalId: msg.externalId,
    body: msg.text,
    address: msg.address,
  });
  if (!stored) return null;
  const reply = await keywordReply(d, user, keyword);
  await d.messages.recordReply(
    stored.id,
    reply ? { userId: user.id, channel: "sms", body: reply, address: msg.address } : null,
  );
  return reply ? fitSegments(reply, maxSegments) : null;
}

async function keywordReply(d: SmsDeps, user: User, keyword: ReturnType<typeof keywordOf>): Promise<string | null> {
  switch (keyword) {
    case "opt_out":
      await d.users.optOut(user.id);
      d.logger.info({ phone: maskPhone(user.phone), userId: user.id }, "SMS opt-out");
      return SMS_OPTED_OUT;
    case "opt_in":
      await d.users.optIn(user.id);
      return SMS_OPTED_IN;
    default: {
      // Opted out: nothing goes to the number, not even a reply, until START.
      if (user.optedOut) return null;
      if (keyword === "help") return SMS_HELP;
      const task = await d.tasks.lastFired(user.id);
      if (!task) return "There's no reminder to mark done yet. Reply HELP for what I can do.";
      return actOnReminder(d.tasks, user.id, task.id, "done").catch((err) => {
        if (err instanceof HeraldError) return err.message;
        throw err;
      });
    }
  }
}

/**
 * Moves the delivery with this Twilio sid forward (never back: see notify/sms/status.ts). The callback can
 * beat the delivery worker's own update that stores the sid, so an unknown sid is looked for again for a
 * few seconds.
 */
async function recordStatus(d: SmsDeps, sid: string, next: string, errorCode?: string): Promise<void> {
  const error = errorCode
    ? `Twilio ${errorCode}${errorCode === "21610" ? ": recipient unsubscribed (STOP)" : ""}`
    : null;
  for (let attempt = 0; attempt < 15; attempt++) {
    const known = await d.deliveryStatus(sid, next, statusesBelow(next), error);
    if (known) {
      if (errorCode === "21610") await d.users.optOut(known.userId);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  d.logger.warn({ sid, status: next }, "SMS status callback for a message we have no delivery for");
}
