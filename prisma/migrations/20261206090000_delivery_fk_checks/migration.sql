-- Performance (issue 14): a run's completion writes its task_runs row and its outbox row in one statement,
-- and Postgres checked four foreign keys per task doing so, 35% of that statement's time (EXPLAIN ANALYZE,
-- 500 a statement among 100k tasks: 9.5 of 27.5 ms). Two of them checked what the statement itself
-- guarantees: a delivery's task is its run's (task_runs.task_id, checked when the run row is written, and
-- locked by the statement), and its user is that task's owner. Herald deletes neither tasks nor users
-- (tasks end completed or cancelled; users stay for their history); pruning deletes old runs, and their
-- deliveries with them (run_id, kept). Notices (a task's approval decided) and replies have no run: their
-- task and user are read from rows that exist in the same transaction.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_task_id_fkey";
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_user_id_fkey";
