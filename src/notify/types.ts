import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import type { Pace } from "./pace.js";

/** A message to write to the outbox: where it goes and what it says. */
export interface OutboxItem {
  /** A channel name from the channel registry (src/channels). */
  channel: string;
  /** The channel's address: a phone number, an email address, a Slack user or channel id, a console name. */
  recipient: string;
  body: string;
  /** Rich content for channels that have it (Slack Block Kit); the body is the text version. */
  blocks?: unknown[] | null;
}

/** An outbox row claimed for sending ('sending', its attempt counted, leased to the claiming worker). */
export interface ClaimedDelivery {
  id: string;
  channel: string;
  recipient: string;
  body: string;
  blocks: unknown[] | null;
  opted_out: boolean;
  user_id: string;
  task_id: string | null;
  /** Whether the task behind it repeats (Slack offers "skip this one" then). */
  recurring: boolean;
  /** Attempts so far, this one included. */
  attempts: number;
  /** Since when the message may have reached the provider (this attempt's start, or a dead attempt's). */
  attempted_at: Date;
  /**
   * Taken over from a worker that died while sending it: the provider may have it already (since
   * `attempted_at`), so it is asked first where it can be (Sender.lookup).
   */
  taken_over: boolean;
  /** Re-sent by an operator after it failed (resendDeliveries): the run it failed may succeed again. */
  resent: boolean;
}

/** One outbound message, as the delivery worker hands it to a channel's sender. */
export interface OutboundMessage {
  deliveryId: string;
  channel: string;
  recipient: string;
  body: string;
  blocks?: unknown[] | null;
  /** The task the message is about, if any (Slack draws its buttons). */
  task?: { id: string; recurring: boolean } | null;
  /** The recipient opted out (SMS STOP): a sender that honours opt-outs refuses with ProviderError "opted_out". */
  optedOut?: boolean;
}

export interface SendResult {
  /** The provider's id for the message (Twilio MessageSid, Slack ts, SMTP Message-ID). */
  providerId?: string;
  /** What the provider said: "sent" when it took it, "queued" when it will report later, "delivered" when known. */
  status: "queued" | "sent" | "delivered";
}

/** A channel's way out: SMS, email, Slack, console. Throws ProviderError (src/errors) on failure. */
export interface Sender {
  readonly channel: string;
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Whether the provider accepted this message since `since` (a send whose outcome died with its worker):
   * what it said then, or null when it has no such message. Only for providers that can be asked (Twilio
   * lists a number's messages); without it, such a message is sent again and may arrive twice. Throws
   * ProviderError when the provider could not be asked.
   */
  lookup?(message: OutboundMessage, since: Date): Promise<SendResult | null>;
  /** What the provider limits this message by, and to what rate (the delivery worker spaces sends by it). */
  pace?(message: OutboundMessage): Pace | null;
  close?(): void | Promise<void>;
}

/** What a channel's sender may use beside its own settings. */
export interface SenderDeps {
  logger: Logger;
  /** Herald's Redis connection and key prefix (the console channel publishes through it). */
  redis: Redis;
  prefix: string;
}

/** The recipient of a planned delivery, as a channel's planner sees it. */
export interface PlanContext<S> {
  settings: S;
  /** The owner's address on another channel, or null when they have none there. */
  addressOn(channel: string): string | null;
  /** Whether another channel is configured on this server. */
  configured(channel: string): boolean;
}

/**
 * A channel's outbound side, as its registry entry (src/channels) names it: the sender, and optionally how
 * a message becomes deliveries (SMS sends a result too long for a text by email, with a short pointer).
 */
export interface OutboundAdapter<S> {
  sender(settings: S, deps: SenderDeps): Sender | Promise<Sender>;
  plan?(item: OutboxItem, ctx: PlanContext<S>): OutboxItem[];
}
