/**
 * Twilio status callbacks arrive out of order (a late "sent" after "delivered"), so a delivery only moves
 * forward in this ranking. undelivered and failed are final outcomes, ranked with delivered.
 * https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 */
const RANK: Record<string, number> = {
  pending: 0,
  sending: 1,
  accepted: 2,
  scheduled: 2,
  queued: 2,
  sending_provider: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  read: 5,
};

/** The status our deliveries table stores for a Twilio MessageStatus, or null when we don't track it. */
export function deliveryStatusOf(
  twilioStatus: string,
): "queued" | "sent" | "delivered" | "undelivered" | "failed" | null {
  switch (twilioStatus) {
    case "accepted":
    case "scheduled":
    case "queued":
    case "sending":
      return "queued";
    case "sent":
      return "sent";
    case "delivered":
    case "read":
      return "delivered";
    case "undelivered":
      return "undelivered";
    case "failed":
    case "canceled":
      return "failed";
    default:
      return null;
  }
}

/** Whether a delivery in `current` may move to `next` (never backwards, never from one final outcome to another). */
export function advances(current: string, next: string): boolean {
  return (RANK[next] ?? -1) > (RANK[current] ?? -1);
}

/** The statuses a delivery in `next` may be updated from: for a single conditional UPDATE. */
export function statusesBelow(next: string): string[] {
  const r = RANK[next] ?? -1;
  return ["pending", "sending", "queued", "sent", "delivered", "undelivered", "failed"].filter(
    (s) => (RANK[s] ?? -1) < r,
  );
}
