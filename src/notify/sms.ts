import type pg from "pg";
import type twilio from "twilio";
import { maskPhone, type Logger } from "../log/index.js";
import type { EmailSender } from "./email.js";
import { fitSegments, segmentCount } from "./segments.js";
import { classifyTwilioError } from "./twilio.js";
import { DeliveryError, type OutboundMessage, type SendResult, type Sender } from "./types.js";

export interface SmsSenderOptions {
  client: twilio.Twilio;
  from: string;
  /** Where Twilio posts delivery status: PUBLIC_URL + /sms/status. */
  statusCallback?: string;
  maxSegments: number;
  /** For the recipient's email address, when a result is too long for SMS. */
  pool: () => pg.Pool;
  /** Set when email is configured: long results go there, with a short SMS pointing to it. */
  email?: EmailSender;
  logger: Logger;
}

/** Sends SMS through Twilio's Messages API; Twilio reports the outcome later on the status callback. */
export class SmsSender implements Sender {
  readonly channel = "sms";
  constructor(private readonly o: SmsSenderOptions) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    let body = m.body;
    if (segmentCount(body) > this.o.maxSegments && this.o.email) {
      const address = await this.emailOf(m.recipient);
      if (address) {
        await this.o.email.send({ ...m, channel: "email", recipient: address });
        body = smsPointer(m.body, address);
      }
    }
    body = fitSegments(body, this.o.maxSegments);
    try {
      const msg = await this.o.client.messages.create({
        to: m.recipient,
        from: this.o.from,
        body,
        ...(this.o.statusCallback ? { statusCallback: this.o.statusCallback } : {}),
      });
      this.o.logger.info(
        { deliveryId: m.deliveryId, to: maskPhone(m.recipient), sid: msg.sid, status: msg.status },
        "SMS handed to Twilio",
      );
      return {
        providerId: msg.sid,
        status: msg.status === "sent" || msg.status === "delivered" ? msg.status : "queued",
      };
    } catch (err) {
      const c = classifyTwilioError(err);
      throw new DeliveryError(c.message, {
        permanent: c.permanent,
        optOut: c.optOut,
        status: c.status,
        providerCode: c.code,
      });
    }
  }

  private async emailOf(phone: string): Promise<string | null> {
    const { rows } = await this.o
      .pool()
      .query<{ email: string | null }>(`SELECT email FROM users WHERE phone = $1`, [phone]);
    return rows[0]?.email ?? null;
  }
}

/** The short SMS sent in place of a result that went by email: its first words and where the rest is. */
export function smsPointer(body: string, email: string): string {
  const first = body.split("\n")[0]!.slice(0, 60).trim();
  const [name, domain] = email.split("@");
  return `${first}… The full result is in your email (${name!.slice(0, 2)}…@${domain}).`;
}
