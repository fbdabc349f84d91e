/** A message from any channel, turned into one shape before the conversation sees it. */
export interface InboundMessage {
  channel: "console" | "sms" | "email" | "slack";
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
