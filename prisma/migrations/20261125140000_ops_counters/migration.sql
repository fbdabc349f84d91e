-- Operations counters: /sitrep and /metrics read these instead of counting millions of rows.
--
-- Writers only ever INSERT delta rows (no row is updated in place), so concurrent transactions never
-- wait on each other or deadlock over a hot counter row. Readers sum the deltas; ops_compact_counts()
-- folds them into one row per group. It runs from the sitrep and, with probability 1/100, from the
-- triggers themselves, so the tables stay small even when nobody reads them. Triggers are statement-level
-- with transition tables: a bulk INSERT … SELECT of a million tasks adds one delta row per status.

-- CreateTable
CREATE TABLE "task_status_counts" (
    "id" BIGSERIAL NOT NULL,
    "status" "TaskStatus" NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "task_status_counts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ops_hourly" (
    "id" BIGSERIAL NOT NULL,
    "metric" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "key" TEXT NOT NULL,
    "n" BIGINT NOT NULL,
    "tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ops_hourly_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ops_hourly_metric_hour_idx" ON "ops_hourly"("metric", "hour");

-- CreateIndex: the admin task list pages newest first.
CREATE INDEX "tasks_created_at_id_idx" ON "tasks"("created_at", "id");

-- Folds delta rows into one row per group; concurrent callers skip instead of waiting.
CREATE FUNCTION ops_compact_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(72707370) THEN
    RETURN;
  END IF;
  WITH gone AS (DELETE FROM task_status_counts RETURNING status, n)
  INSERT INTO task_status_counts (status, n) SELECT status, sum(n) FROM gone GROUP BY status HAVING sum(n) <> 0;
  WITH gone AS (DELETE FROM ops_hourly RETURNING metric, hour, key, n, tokens, cost_usd)
  INSERT INTO ops_hourly (metric, hour, key, n, tokens, cost_usd)
    SELECT metric, hour, key, sum(n), sum(tokens), sum(cost_usd) FROM gone
     WHERE hour > now() - interval '35 days'
     GROUP BY metric, hour, key HAVING sum(n) <> 0 OR sum(tokens) <> 0 OR sum(cost_usd) <> 0;
END $$;

CREATE FUNCTION ops_count_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_status_counts (status, n) SELECT status, count(*) FROM new_rows GROUP BY status;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO task_status_counts (status, n) SELECT status, -count(*) FROM old_rows GROUP BY status;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO task_status_counts (status, n)
      SELECT status, sum(d) FROM (SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
       GROUP BY status HAVING sum(d) <> 0;
  ELSE -- TRUNCATE
    DELETE FROM task_status_counts;
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_count_insert AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_tasks();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON "tasks" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_tasks();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_tasks();
CREATE TRIGGER tasks_count_truncate AFTER TRUNCATE ON "tasks" FOR EACH STATEMENT EXECUTE FUNCTION ops_count_tasks();

-- Runs per hour started and status; deliveries per hour created, channel and status; LLM calls per hour and outcome.
-- Static SQL in each branch, so PL/pgSQL caches the plans: these run on the engine's hot path.
CREATE FUNCTION ops_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'run', date_trunc('hour', started_at, 'UTC'), status::text, -count(*) FROM old_rows GROUP BY 2, 3;
  ELSE
    DELETE FROM ops_hourly WHERE metric = 'run';
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION ops_count_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO ops_hourly (metric, hour, key, n)
      SELECT 'delivery', date_trunc('hour', created_at, 'UTC'), channel::text || ':' || status::text, -count(*) FROM old_rows GROUP BY 2, 3;
  ELSE
    DELETE FROM ops_hourly WHERE metric = 'delivery';
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;

-- LLM calls are only ever inserted (and deleted when pruned).
CREATE FUNCTION ops_count_llm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ops_hourly (metric, hour, key, n, tokens, cost_usd)
      SELECT 'llm', date_trunc('hour', at, 'UTC'), CASE WHEN ok THEN 'ok' ELSE 'failed' END, count(*), sum(prompt_tokens + completion_tokens), sum(cost_usd)
        FROM new_rows GROUP BY 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO ops_hourly (metric, hour, key, n, tokens, cost_usd)
      SELECT 'llm', date_trunc('hour', at, 'UTC'), CASE WHEN ok THEN 'ok' ELSE 'failed' END, -count(*), -sum(prompt_tokens + completion_tokens), -sum(cost_usd)
        FROM old_rows GROUP BY 2, 3;
  ELSE
    DELETE FROM ops_hourly WHERE metric = 'llm';
  END IF;
  IF random() < 0.01 THEN PERFORM ops_compact_counts(); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER task_runs_count_insert AFTER INSERT ON "task_runs" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_runs();
CREATE TRIGGER task_runs_count_update AFTER UPDATE ON "task_runs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_runs();
CREATE TRIGGER task_runs_count_delete AFTER DELETE ON "task_runs" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_runs();
CREATE TRIGGER task_runs_count_truncate AFTER TRUNCATE ON "task_runs" FOR EACH STATEMENT EXECUTE FUNCTION ops_count_runs();
CREATE TRIGGER deliveries_count_insert AFTER INSERT ON "deliveries" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_deliveries();
CREATE TRIGGER deliveries_count_update AFTER UPDATE ON "deliveries" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_deliveries();
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON "deliveries" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_deliveries();
CREATE TRIGGER deliveries_count_truncate AFTER TRUNCATE ON "deliveries" FOR EACH STATEMENT EXECUTE FUNCTION ops_count_deliveries();
CREATE TRIGGER llm_calls_count_insert AFTER INSERT ON "llm_calls" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_llm();
CREATE TRIGGER llm_calls_count_delete AFTER DELETE ON "llm_calls" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ops_count_llm();
CREATE TRIGGER llm_calls_count_truncate AFTER TRUNCATE ON "llm_calls" FOR EACH STATEMENT EXECUTE FUNCTION ops_count_llm();

-- Backfill from what is already stored (the table locks keep writers out until this migration commits).
LOCK TABLE "tasks", "task_runs", "deliveries", "llm_calls" IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO task_status_counts (status, n) SELECT status, count(*) FROM tasks GROUP BY status;
INSERT INTO ops_hourly (metric, hour, key, n)
  SELECT 'run', date_trunc('hour', started_at, 'UTC'), status::text, count(*) FROM task_runs WHERE started_at > now() - interval '35 days' GROUP BY 2, 3;
INSERT INTO ops_hourly (metric, hour, key, n)
  SELECT 'delivery', date_trunc('hour', created_at, 'UTC'), channel::text || ':' || status::text, count(*) FROM deliveries WHERE created_at > now() - interval '35 days' GROUP BY 2, 3;
INSERT INTO ops_hourly (metric, hour, key, n, tokens, cost_usd)
  SELECT 'llm', date_trunc('hour', at, 'UTC'), CASE WHEN ok THEN 'ok' ELSE 'failed' END, count(*), sum(prompt_tokens + completion_tokens), sum(cost_usd)
    FROM llm_calls WHERE at > now() - interval '35 days' GROUP BY 2, 3;

-- CreateIndex: sitrep subscriptions of a channel (tasks whose instruction is the sitrep marker), for /sitrep unsubscribe.
CREATE INDEX "tasks_sitrep_audience_idx" ON "tasks"("audience") WHERE starts_with("instruction", '__sitrep__');
