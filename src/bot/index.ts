export { Conversation, type ConversationOptions } from "./conversation.js";
export { findOrCreateUser } from "./users.js";
export type { InboundMessage, Identity, Reply, Outcome } from "./types.js";
export { runConsole, type ConsoleOptions } from "./console.js";
export { actOnReminder, type ReminderVerb } from "./reminders.js";
