export { DeliveryQueue, DeliveryWorker, DELIVER_QUEUE } from "./outbox.js";
export { ConsoleSender, consoleTopic } from "./console.js";
export { DeliveryError, type Sender, type SendResult, type OutboundMessage } from "./types.js";
export { configuredSenders } from "./senders.js";
export { reminderBlocks, parseAction, type ReminderAction } from "./slackBlocks.js";
export { fitSegments, segmentCount, encodingOf } from "./segments.js";
// Not exported here: sms.ts, email.ts, slack.ts and twilio.ts. They pull in their providers' SDKs, which
// configuredSenders loads only for configured channels; import them by path where a test needs them.
