import type twilio from "twilio";
import { ProviderError } from "../../errors/index.js";
import { maskPhone, type Logger } from "../../log/index.js";
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
}

/** Sends SMS through Twilio's Messages API; Twilio reports the outcome later on the status callback. */
export class SmsSender implements Sender {
  readonly channel = "sms";
  constructor(private readonly o: SmsSenderOptions) {}

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
