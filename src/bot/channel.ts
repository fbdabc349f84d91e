import type { Logger } from "../log/index.js";
import type { TaskService } from "../tasks/index.js";
import type { Conversation } from "./conversation.js";
import type { Messages } from "./messages.js";
import type { Users } from "./users.js";

/** A reply with Slack's rich content. */
export interface RichReply {
  text: string;
  blocks?: unknown[];
}

/** A conversation's answer to one inbound message, for the outbox (the owner of `deliveries`). */
export interface ReplyItem {
  /** "<channel>:<provider id of the inbound message>": one reply per message, across retries and restarts. */
  replyTo: string;
  userId: string;
  channel: string;
  recipient: string;
  body: string;
}

/** Replies sent after their webhook was acked go through the outbox, like every other message. */
export interface ReplyOutbox {
  /**
   * Writes the reply to an inbound message, once: `inline` records one that goes back in the webhook's own
   * response (TwiML), otherwise it is queued for a delivery worker to send. Returns false when that message
   * has a reply already (nothing is written; an inline reply must then not be sent).
   */
  reply(item: ReplyItem, inline: boolean): Promise<boolean>;
}

/**
 * Stored inbound messages handed from the process that acked them to the worker processes (see
 * InboxHandoff): `hand` in the HTTP process, resolving with the answer a worker offered within
 * `waitMs` and `accept` recorded (null: none, the webhook is acked empty); `take` in each worker, whose
 * `handle` gets an `offer` for the waiting webhook when there is one.
 */
export interface InboxQueue {
  hand(
    channel: string,
    inboxId: string,
    o: {
      waitMs?: number;
      accept?: (item: ReplyItem) => Promise<boolean>;
      refused: (err: Error) => void;
    },
  ): Promise<ReplyItem | null>;
  take(
    channel: string,
    concurrency: number,
    handle: (inboxId: string, offer: ((item: ReplyItem) => Promise<void>) | null) => Promise<void>,
  ): void;
}

/**
 * What the runtime offers the channels' inbound adapters; each takes what it needs (the SMS adapter does
 * not look at `sitrep`). Everything here is narrow: no adapter reaches the database or Redis itself.
 */
export interface ChannelDeps {
  conversation: Pick<Conversation, "handle" | "record">;
  users: Users;
  messages: Messages;
  /** For reminder actions (buttons, SMS "done"), through the task rules. */
  tasks: Pick<TaskService, "apply" | "get" | "lastFired">;
  logger: Logger;
  replies: ReplyOutbox;
  inbox: InboxQueue;
  /**
   * Records a provider's report on a message it accepted (the outbox owns deliveries): moves it forward to
   * `status` from any of `from`; `deliveryId` (from the callback URL) finds it before its provider id is
   * recorded. Returns the delivery's user, or null when no delivery has that id (yet).
   */
  deliveryStatus(
    providerId: string,
    status: string,
    from: string[],
    error: string | null,
    deliveryId?: string,
  ): Promise<{ userId: string } | null>;
  /** Slack's /sitrep (ops answers it). */
  sitrepCommand(args: { text: string; channelId: string; userId: string }): Promise<RichReply>;
  /** Approve / Reject on an approval request in Slack (admin actions, by the clicking Slack user). */
  approval(args: {
    action: "approve" | "reject";
    taskId: string;
    userId: string;
  }): Promise<{ ok: boolean; text: string }>;
}
