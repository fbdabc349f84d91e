/**
 * Tasks: their lifecycle (TaskService, the rules in transitions.ts, the audit log) and their scheduling
 * (the scheduler's horizon, Redis timers, the fire worker). The one owner of `tasks`, `task_runs` and
 * `audit_log`.
 */
export {
  TaskService,
  type NewTask,
  type When,
  type Task,
  type TaskChange,
  type Applied,
  type AuditAs,
} from "./service.js";
export {
  decide,
  actorLabel,
  type Actor,
  type TaskAction,
  type TaskFacts,
  type TaskStatus,
  type Decision,
} from "./transitions.js";
export { recordEvent, snapshot, type TaskSnapshot, type AuditEntry } from "./audit.js";
export { planChange, timingOf, type Planned } from "./changes.js";
export {
  FireWorker,
  type DeliveryPlanner,
  type Executor,
  type ExecutionInput,
  type ExecutionResult,
  type OutboxSink,
  type EngineOptions,
  type RunOutcome,
} from "./engine.js";
export { Scheduler, type SchedulerLoop, type SchedulerOptions } from "./scheduler.js";
export { Timers, FIRE_QUEUE } from "./timers.js";
export { judgeNewTask, canTransition, ACTIVE_STATUSES, LIMITS } from "./policy.js";
export { firstOccurrence, occurrenceAfter, occurrenceToFire, fireJobId, type TaskTiming } from "./schedule.js";
export type { ClaimedRun } from "./runs.js";
export { pruneRuns, pruneAudit } from "./prune.js";
export { runUndelivered, runDelivered } from "./outcomes.js";
