import type twilio from "twilio";
import { ProviderError } from "../../errors/index.js";
import { maskPhone, type Logger } from "../../log/index.js";
import type { Pace } from "../pace.js";
import type { OutboundMessage, SendResult, Sender } from "../types.js";
import { fitSegments } from "./segments.js";
import { classifyTwilioError } from "./twilio.js";

export interface SmsSenderOptions {
  client: twilio.Twilio;
  from: string;
  /** Where Twilio posts delivery status: PUBLIC_URL + /sms/status. */
  statusCallback?: string;
  maxSegments: number;
  logger: Logger;
  /** Messages per second from our number (SMS_RATE_PER_S). */
  ratePerS: number;
}

/** A delivery's own StatusCallback: Twilio's reports on it carry the delivery id, even before Herald knows the sid. */
export const statusCallbackFor = (statusCallback: string, deliveryId: string) =>
  `${statusCallback}${statusCallback.includes("?") ? "&" : "?"}d=${encodeURIComponent(deliveryId)}`;

/** What our deliveries table keeps of a Twilio MessageStatus at send time. */
const sendStatusOf = (status: string): SendResult["status"] =>
  status === "sent" || status === "delivered" ? status : "queued";

/** Sends SMS through Twilio's Messages API; Twilio reports the outcome later on the status callback. */
export class SmsSender implements Sender {
  readonly channel = "sms";
  constructor(private readonly o: SmsSenderOptions) {}

  /** Twilio sends from one number at its rate (a long code about 1/s): one key per number. */
  pace(): Pace {
    return { key: `sms:${this.o.from}`, perSecond: this.o.ratePerS };
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    // Carriers and Twilio stop delivering after STOP; sending anyway only earns error 21610.
    if (m.optedOut)
      throw new ProviderError("opted_out", "recipient has opted out (STOP); nothing is sent until they text START", {
        provider: "twilio",
      });
    const body = fitSegments(m.body, this.o.maxSegments);
    try {
      const msg = await this.o.client.messages.create({
        to: m.recipient,
        from: this.o.from,
        body,
        ...(this.o.statusCallback ? { statusCallback: statusCallbackFor(this.o.statusCallback, m.deliveryId) } : {}),
      });
      this.o.logger.info(
        { deliveryId: m.deliveryId, to: maskPhone(m.recipient), sid: msg.sid, status: msg.status },
        "SMS handed to Twilio",
      );
      return { providerId: msg.sid, status: sendStatusOf(msg.status) };
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }

  /**
   * Whether Twilio accepted this message since `since`: the newest messages from our number to the
   * recipient (one page), matched on the body as it was sent. Not filtered by DateSent, which a message
   * Twilio has accepted but not yet sent does not have.
   * https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
   */
  async lookup(m: OutboundMessage, since: Date): Promise<SendResult | null> {
    if (m.optedOut) return null;
    const body = fitSegments(m.body, this.o.maxSegments);
    try {
      const recent = await this.o.client.messages.list({ to: m.recipient, from: this.o.from, pageSize: 50, limit: 50 });
      const hit = recent.find((r) => r.body === body && r.dateCreated.getTime() >= since.getTime());
      return hit ? { providerId: hit.sid, status: sendStatusOf(hit.status) } : null;
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }
}

/** The short SMS sent in place of a result that went by email: its first words and where the rest is. */
export function smsPointer(body: string, email: string): string {
  const first = body.split("\n")[0]!.slice(0, 60).trim();
  const [name, domain] = email.split("@");
  return `${first}… The full result is in your email (${name!.slice(0, 2)}…@${domain}).`;
}
