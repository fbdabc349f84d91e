import type { OutboundAdapter, OutboxItem, PlanContext } from "../types.js";
import { segmentCount } from "./segments.js";
import { SmsSender, smsPointer } from "./sender.js";
import { publicEndpoint, twilioClient } from "./twilio.js";

export { fitSegments, segmentCount, encodingOf } from "./segments.js";
export { deliveryStatusOf, advances, statusesBelow } from "./status.js";
export { classifyTwilioError, publicEndpoint } from "./twilio.js";
export { smsPointer, statusCallbackFor } from "./sender.js";

/** What SMS needs from the configuration (TWILIO_*, PUBLIC_URL, SMS_MAX_SEGMENTS, SMS_REPLY_BUDGET_MS, INBOUND_CONCURRENCY). */
export interface SmsSettings {
  accountSid: string;
  authToken: string;
  from: string;
  /** Where the Twilio SDK sends its requests (a regional edge, a proxy, a test fake). */
  apiUrl?: string;
  /** The public https origin Twilio posts to: signatures are computed over it. */
  publicUrl: string;
  maxSegments: number;
  /** Messages per second our number may send (SMS_RATE_PER_S). @defaultValue 1 */
  ratePerS?: number;
  /** Inbound: how long a webhook waits for its answer to go back in the TwiML (SMS_REPLY_BUDGET_MS). */
  replyBudgetMs?: number;
  /** Inbound: messages one HTTP process interprets and acts on at once (INBOUND_CONCURRENCY). */
  inboundConcurrency?: number;
}

/**
 * A result longer than SMS_MAX_SEGMENTS goes by email when the owner has an address and email is
 * configured, with a short SMS pointing to it: two deliveries, each sent (and retried) once on its own.
 */
function planSms(item: OutboxItem, ctx: PlanContext<SmsSettings>): OutboxItem[] {
  if (segmentCount(item.body) <= ctx.settings.maxSegments) return [item];
  const email = ctx.configured("email") ? ctx.addressOn("email") : null;
  if (!email) return [item];
  return [
    { channel: "email", recipient: email, body: item.body },
    { ...item, body: smsPointer(item.body, email) },
  ];
}

/** SMS's outbound side, for the channel registry. */
export const smsOutbound: OutboundAdapter<SmsSettings> = {
  sender: (s, deps) =>
    new SmsSender({
      client: twilioClient(s.accountSid, s.authToken, s.apiUrl),
      from: s.from,
      statusCallback: publicEndpoint(s.publicUrl, "/sms/status"),
      maxSegments: s.maxSegments,
      logger: deps.logger,
      ratePerS: s.ratePerS ?? 1,
    }),
  plan: planSms,
};
