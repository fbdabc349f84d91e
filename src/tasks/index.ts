export { TaskService, type NewTask, type When, type Task } from "./service.js";
export {
  FireWorker,
  recipientFor,
  type Executor,
  type ExecutionInput,
  type ExecutionResult,
  type OutboxSink,
  type EngineOptions,
} from "./engine.js";
export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { Timers, FIRE_QUEUE } from "./timers.js";
export { judgeNewTask, canTransition, ACTIVE_STATUSES, LIMITS } from "./policy.js";
export { firstOccurrence, occurrenceAfter, occurrenceToFire, fireJobId, type TaskTiming } from "./schedule.js";
export type { ClaimedRun, ClaimedDelivery } from "./runs.js";
export { MicroBatcher, Slots, type BatcherOptions } from "./batch.js";
