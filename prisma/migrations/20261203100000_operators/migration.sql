-- Operators (issue 13): what an operator needs to see the truth and act on it.

-- AlterEnum: an admin's "no" is its own outcome, not a cancel; it has no next run.
-- (ADD VALUE commits with the migration; nothing below uses the new values in this transaction.)
ALTER TYPE "TaskStatus" ADD VALUE 'rejected';
-- AlterEnum: a delivery waiting for its paused channel to be resumed.
ALTER TYPE "DeliveryStatus" ADD VALUE 'held';

-- AlterTable: the "too late to be useful" cut-off of a task: a run or message still failing this long after
-- its occurrence is given up (null: the server's LATE_CUTOFF_MS).
ALTER TABLE "tasks" ADD COLUMN "useful_for_ms" INTEGER;
-- AlterTable: when a delivery stops being worth sending (its run's occurrence plus the task's cut-off).
ALTER TABLE "deliveries" ADD COLUMN "expires_at" TIMESTAMPTZ(3);

-- CreateTable: channels an operator paused during a provider incident; their deliveries wait (held).
CREATE TABLE "channel_pauses" (
    "channel" TEXT NOT NULL,
    "paused_by" TEXT NOT NULL,
    "reason" TEXT,
    "paused_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_pauses_pkey" PRIMARY KEY ("channel")
);

-- CreateTable: one row per worker process, renewed while it runs (the sitrep's worker list).
CREATE TABLE "workers" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "roles" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "processed" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "workers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: history across statuses, newest first; housekeeping's ranges by age.
CREATE INDEX "task_runs_started_at_idx" ON "task_runs"("started_at");
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");
CREATE INDEX "messages_created_at_idx" ON "messages"("created_at");
CREATE INDEX "deliveries_created_at_idx" ON "deliveries"("created_at");

-- Housekeeping prunes old rows with `SET LOCAL herald.housekeeping = 'on'`: those deletes leave the
-- counters alone, so the sitrep and the charts still count what happened (the counters age out on their own).
CREATE OR REPLACE FUNCTION ops_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'run', date_trunc('hour', started_at, 'UTC'), status::text, count(*) FROM new_rows GROUP BY 2, 3;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'run', h, k, sum(d) FROM (
        SELECT date_trunc('hour', started_at, 'UTC') AS h, status::text AS k, 1 AS d FROM new_rows
        UNION ALL SELECT date_trunc('hour', started_at, 'UTC'), status::text, -1 FROM old_rows) x
       GROUP BY h, k HAVING sum(d) <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    IF current_setting('herald.housekeeping', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'run', date_trunc('hour', started_at, 'UTC'), status::text, -count(*) FROM old_rows GROUP BY 2, 3;
  ELSE
    DELETE FROM ops_hourly WHERE metric = 'run';
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ops_count_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'delivery', date_trunc('hour', created_at, 'UTC'), channel::text || ':' || status::text, count(*) FROM new_rows GROUP BY 2, 3;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'delivery', h, k, sum(d) FROM (
        SELECT date_trunc('hour', created_at, 'UTC') AS h, channel::text || ':' || status::text AS k, 1 AS d FROM new_rows
        UNION ALL SELECT date_trunc('hour', created_at, 'UTC'), channel::text || ':' || status::text, -1 FROM old_rows) x
       GROUP BY h, k HAVING sum(d) <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    IF current_setting('herald.housekeeping', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'delivery', date_trunc('hour', created_at, 'UTC'), channel::text || ':' || status::text, -count(*) FROM old_rows GROUP BY 2, 3;
  ELSE
    DELETE FROM ops_hourly WHERE metric = 'delivery';
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;
