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

/**
 * What the runtime offers the channels' inbound adapters; each takes what it needs (the SMS adapter does
 * not look at `sitrep`). Everything here is narrow: no adapter reaches the database or Redis itself.
 */
export interface ChannelDeps {
  conversation: Pick<Conversation, "handle">;
  users: Users;
  messages: Messages;
  /** For reminder actions (buttons, SMS "done"), through the task rules. */
  tasks: Pick<TaskService, "apply" | "get" | "lastFired">;
  logger: Logger;
  /**
   * Records a provider's report on a message it accepted (the outbox owns deliveries): moves it forward to
   * `status` from any of `from`; returns the delivery's user, or null when no delivery has that id (yet).
   */
  deliveryStatus(
    providerId: string,
    status: string,
    from: string[],
    error: string | null,
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
