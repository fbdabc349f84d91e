-- Performance (issue 14): a run can have been failed by its messages only if one of them is sent again
-- after failing (an operator's re-send), so only such a delivery, once it gets through, needs to look for
-- a failed run to revive. resent_at marks those; every other sent message skips that statement, which a
-- 10k burst ran 40 times for nothing (450 ms of Postgres time, about 5 % of the burst's).

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN "resent_at" TIMESTAMPTZ(3);
