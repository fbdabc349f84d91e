import type { HttpServer } from "../http/index.js";
import type { Logger } from "../log/index.js";

/** A message from any channel, turned into one shape before the conversation sees it. */
export interface InboundMessage {
  /** A channel name from the channel registry (src/channels). */
  channel: string;
  /** The provider's id (Slack event id, Twilio MessageSid): the same webhook twice is handled once. */
  externalId?: string;
  text: string;
  identity: Identity;
  /** Where replies go (Slack channel and thread, phone number); stored with the message. */
  address?: Record<string, unknown>;
  receivedAt: Date;
}

export interface Identity {
  consoleName?: string;
  phone?: string;
  email?: string;
  slackUserId?: string;
  name?: string;
  /** The zone the channel knows for this user (Slack's users.info), if any. */
  timezone?: string;
}

export interface Reply {
  text: string;
  /** The task the reply is about, when there is one (channels attach buttons to it). */
  taskId?: string;
}

/** What the conversation answers: a reply, or that this message was seen before. */
export type Outcome = { duplicate: true } | { duplicate: false; reply: Reply; messageId: string; userId: string };

/**
 * A channel's inbound side, as its registry entry (src/channels) names it: mounts its webhooks on the one
 * HTTP server and hands each message to the conversation. `deps` is what the runtime offers channels;
 * each adapter uses what it needs. Returns a stop function for background work it started, if any.
 * `work`, in worker processes, handles what the webhooks stored and handed over (see InboxQueue), and
 * resumes what a crash left unhandled; it returns its stop function.
 */
export interface InboundAdapter<S, D> {
  mount(http: HttpServer, deps: D & { logger: Logger }, settings: S): (() => void) | undefined;
  work?(deps: D & { logger: Logger }, settings: S): () => void;
}
