-- The house (issue 10): channels are named by the channel registry (src/channels), not by a database
-- enum, so a new channel needs no migration; a task says what kind it is in a column (sitrep
-- subscriptions were recognised by an instruction prefix); a delivery can carry rich content (Slack
-- Block Kit) beside its text, so a sitrep goes out through the outbox like every other message.

-- AlterTable: Channel enum -> text
ALTER TABLE "users" ALTER COLUMN "preferred_channel" DROP DEFAULT;
ALTER TABLE "users" ALTER COLUMN "preferred_channel" TYPE TEXT USING "preferred_channel"::text;
ALTER TABLE "users" ALTER COLUMN "preferred_channel" SET DEFAULT 'console';
ALTER TABLE "messages" ALTER COLUMN "channel" TYPE TEXT USING "channel"::text;
ALTER TABLE "tasks" ALTER COLUMN "channel" TYPE TEXT USING "channel"::text;
ALTER TABLE "deliveries" ALTER COLUMN "channel" TYPE TEXT USING "channel"::text;
DROP TYPE "Channel";

-- AlterTable: task kind and its parameters
ALTER TABLE "tasks" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'reminder';
ALTER TABLE "tasks" ADD COLUMN "params" JSONB;
UPDATE "tasks" SET "kind" = 'sitrep',
       "params" = jsonb_build_object('window', COALESCE(substring("instruction" FROM 'window=(\S+)'), '24h')),
       "instruction" = 'Sitrep ' || COALESCE(substring("instruction" FROM 'window=(\S+)'), '24h')
 WHERE starts_with("instruction", '__sitrep__');
DROP INDEX "tasks_sitrep_audience_idx";
CREATE INDEX "tasks_sitrep_audience_idx" ON "tasks"("audience") WHERE "kind" = 'sitrep';

-- AlterTable: rich content of a delivery
ALTER TABLE "deliveries" ADD COLUMN "blocks" JSONB;

-- AlterTable: when a failed attempt may be tried again. The retry policy (src/retry) sets it; the
-- reconcilers leave a row alone until then, so a long backoff is not cut short by a sweep.
ALTER TABLE "deliveries" ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3);
ALTER TABLE "task_runs" ADD COLUMN "retry_at" TIMESTAMPTZ(3);
