export { DeliveryQueue, DeliveryWorker, DELIVER_QUEUE } from "./outbox.js";
export { ConsoleSender, consoleTopic } from "./console.js";
export { DeliveryError, type Sender, type SendResult, type OutboundMessage } from "./types.js";
