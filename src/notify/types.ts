/** One outbound message, as the delivery worker hands it to a channel's sender. */
export interface OutboundMessage {
  deliveryId: string;
  channel: string;
  recipient: string;
  body: string;
}

export interface SendResult {
  /** The provider's id for the message (Twilio MessageSid, Slack ts, SMTP Message-ID). */
  providerId?: string;
  /** What the provider said: "sent" when it took it, "queued" when it will report later, "delivered" when known. */
  status: "queued" | "sent" | "delivered";
}

/** A channel's way out: SMS, email, Slack, console. Throws DeliveryError on failure. */
export interface Sender {
  readonly channel: string;
  send(message: OutboundMessage): Promise<SendResult>;
}

/**
 * A failed send. `permanent` ones (opted-out number, Twilio 21610, unknown recipient) are not retried;
 * `optOut` also marks the user opted out.
 */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    message: string,
    readonly opts: { permanent?: boolean; optOut?: boolean; status?: number; providerCode?: string | number } = {},
  ) {
    super(message);
  }
}
