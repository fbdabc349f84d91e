-- Exactly once under faults (issue 12): a delivery being sent has an owner and a lease, as a run has, so
-- another worker takes over a dead worker's sends within the lease; what it finds in 'sending' it knows
-- may already be at the provider since attempted_at, and asks the provider (where it can) before sending
-- again. takeovers and blind_resends let an operator see every message that could have gone out twice.
-- A conversation reply sent through the outbox (an inbound SMS answered after its webhook was acked) has
-- no run: reply_to names the inbound message it answers, once.

-- AlterTable: the lease of a delivery in 'sending'
ALTER TABLE "deliveries" ADD COLUMN "owner" TEXT;
ALTER TABLE "deliveries" ADD COLUMN "lease_until" TIMESTAMPTZ(3);
ALTER TABLE "deliveries" ADD COLUMN "attempted_at" TIMESTAMPTZ(3);
ALTER TABLE "deliveries" ADD COLUMN "takeovers" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "deliveries" ADD COLUMN "blind_resends" INTEGER NOT NULL DEFAULT 0;
-- Rows left in 'sending' by workers that predate leases: their lease ran from their last update.
UPDATE "deliveries" SET "lease_until" = "updated_at" + interval '30 seconds', "attempted_at" = "updated_at"
 WHERE "status" = 'sending';

-- AlterTable: a conversation reply in the outbox, unique per inbound message
ALTER TABLE "deliveries" ADD COLUMN "reply_to" TEXT;
CREATE UNIQUE INDEX "deliveries_reply_to_key" ON "deliveries"("reply_to");

-- AlterTable: which inbound message a stored reply answers
ALTER TABLE "messages" ADD COLUMN "reply_to" UUID;
CREATE INDEX "messages_reply_to_idx" ON "messages"("reply_to");
ALTER TABLE "messages" ADD CONSTRAINT "messages_reply_to_fkey" FOREIGN KEY ("reply_to") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
