/**
 * Channels in, and the conversation as the application layer: every channel's inbound adapter (console/,
 * sms/, slack/, loaded by the channel registry in src/channels only when configured) turns its wire format
 * into one InboundMessage and hands it to the one Conversation. The one writer of `users` and `messages`.
 */
export { Conversation, type ConversationOptions } from "./conversation.js";
export { Users, type ConversationState, type User } from "./users.js";
export { Messages, pruneMessages } from "./messages.js";
export type { ChannelDeps, InboxQueue, ReplyItem, ReplyOutbox, RichReply } from "./channel.js";
export { InboxHandoff } from "./handoff.js";
export type { InboundAdapter, InboundMessage, Identity, Reply, Outcome } from "./types.js";
export { runConsole, type ConsoleOptions } from "./console/index.js";
export { actOnReminder, type ReminderVerb } from "./reminders.js";
export type { Reach } from "./dialogue/index.js";
