import type { ServerResponse } from "node:http";
import twilio from "twilio";
import { type HttpServer, send } from "../../http/index.js";
import { maskPhone } from "../../log/index.js";
import { deliveryStatusOf, publicEndpoint, type SmsSettings, statusesBelow } from "../../notify/sms/index.js";
import type { ChannelDeps } from "../channel.js";
import { type SmsPending, SmsInbox, smsMessage } from "./inbox.js";
import { twiml } from "./twiml.js";

type Req = Parameters<Parameters<HttpServer["route"]>[2]>[0];
const E164 = /^\+[1-9]\d{6,14}$/;

export type SmsDeps = Pick<
  ChannelDeps,
  "conversation" | "users" | "messages" | "tasks" | "deliveryStatus" | "replies" | "inbox" | "logger"
>;

/** Messages not handled within this long are taken to be lost with their process, and resumed. */
const RESUME_AFTER_MS = 60_000;

const replyTwiml = (res: ServerResponse, text?: string | null) => {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
  res.end(twiml(text));
};

const inboxOf = (d: SmsDeps, s: SmsSettings) =>
  new SmsInbox(d, {
    budgetMs: s.replyBudgetMs ?? 150,
    concurrency: s.inboundConcurrency ?? 4,
    maxSegments: s.maxSegments,
  });

/**
 * Mounts Twilio's messaging webhooks: POST /sms/inbound and POST /sms/status. An inbound message is stored
 * before it is acked (Postgres unreachable: 503, and nothing is acked that is not stored), then answered
 * in the TwiML when a worker has the answer ready within the budget, or acked empty and answered through
 * the outbox (see SmsInbox).
 */
export function mountSms(http: HttpServer, d: SmsDeps, s: SmsSettings): undefined {
  const inbox = inboxOf(d, s);

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
    const receivedAt = new Date();
    const pending: SmsPending = { from, body, sid };
    let inboxId: string | null;
    try {
      inboxId = await d.messages.recordPending("sms", sid, body, pending, receivedAt);
    } catch (err) {
      d.logger.error({ err: (err as Error).message, sid }, "could not store an inbound SMS; answered 503");
      return send(res, 503, "Herald cannot store messages right now; try again", { "retry-after": "5" });
    }
    if (!inboxId) {
      d.logger.info({ sid }, "SMS seen before; acked, not handled again");
      return replyTwiml(res, null);
    }
    d.logger.info({ from: maskPhone(from), sid }, "SMS received");
    replyTwiml(res, await inbox.answer(inboxId, smsMessage(pending, receivedAt)));
  });

  http.route("POST", "/sms/status", async (req, res) => {
    const p = verified(req);
    if (!p) return send(res, 403, "invalid Twilio signature");
    const { MessageSid: sid, MessageStatus: status, ErrorCode: errorCode } = p;
    if (!sid || !status) return send(res, 400, "a Twilio status callback needs MessageSid and MessageStatus");
    const deliveryId = new URL(req.url ?? "/", "http://x").searchParams.get("d") ?? undefined;
    const next = deliveryStatusOf(status);
    if (next) await recordStatus(d, sid, next, errorCode, deliveryId);
    res.writeHead(204).end();
  });
  return undefined;
}

/**
 * In a worker process: handles the inbound SMS the webhook handed over, and resumes those a crash left
 * unhandled (stored, acked, and not answered within RESUME_AFTER_MS).
 */
export function workSms(d: SmsDeps, s: SmsSettings): () => void {
  const inbox = inboxOf(d, s);
  d.inbox.take("sms", s.inboundConcurrency ?? 4, (id, offer) => inbox.take(id, offer));
  const resume = () =>
    void inbox
      .resume(new Date(Date.now() - RESUME_AFTER_MS))
      .catch((err: Error) => d.logger.warn({ err: err.message }, "resuming SMS failed"));
  const first = setTimeout(resume, 1_000);
  const every = setInterval(resume, RESUME_AFTER_MS / 2);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

/**
 * Moves the delivery with this Twilio sid (or, before the sid is recorded, with the delivery id in the
 * callback URL) forward, never back (see notify/sms/status.ts). A callback for a message sent without our
 * marker can beat the delivery worker's own update that stores the sid, so an unknown sid is looked for
 * again for a few seconds.
 */
async function recordStatus(d: SmsDeps, sid: string, next: string, errorCode?: string, deliveryId?: string) {
  const error = errorCode
    ? `Twilio ${errorCode}${errorCode === "21610" ? ": recipient unsubscribed (STOP)" : ""}`
    : null;
  for (let attempt = 0; attempt < 15; attempt++) {
    const known = await d.deliveryStatus(sid, next, statusesBelow(next), error, deliveryId);
    if (known) {
      if (errorCode === "21610") await d.users.optOut(known.userId);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  d.logger.warn({ sid, status: next }, "SMS status callback for a message we have no delivery for");
}
