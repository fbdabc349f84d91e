/**
 * Delivery out: the outbox (its worker, its queue, the one writer of `deliveries`) and the channels'
 * outbound adapters, each in a folder of its own (console/, sms/, email/, slack/) that the channel
 * registry (src/channels) loads only when its channel is configured: their SDKs weigh tens of MB.
 */
export {
  DeliveryQueue,
  DeliveryWorker,
  DELIVER_QUEUE,
  type DeliveryWorkerOptions,
  type Reservation,
  type ClaimedAhead,
} from "./outbox.js";
export {
  insertOutbox,
  insertReply,
  outboxInsertCte,
  recordProviderStatus,
  takeFailedConsoleDeliveries,
  pruneDeliveries,
  resendDeliveries,
  pausedChannels,
  pauseChannel,
  resumeChannel,
  insertNotice,
  type ResendFilter,
  type OutboxOwner,
  type ReplyItem,
} from "./store.js";
export type {
  ClaimedDelivery,
  OutboundAdapter,
  OutboundMessage,
  OutboxItem,
  PlanContext,
  SendResult,
  Sender,
  SenderDeps,
} from "./types.js";
