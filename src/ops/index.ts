/**
 * Operations: the sitrep (data, arithmetic, rendering, /sitrep and its subscriptions), alerts (a pure
 * state machine, fed by the engine's hooks and a monitor loop), approval requests posted to the ops
 * channel, and /metrics. The admin web app and API live apart, in src/admin.
 */
export { sitrepCommand, isSitrepTask, type SitrepCommandDeps, type SlackReply } from "./subscriptions.js";
export { withSitrepExecutor } from "./sitrep-executor.js";
export { postPendingApprovals, approvalMessage } from "./approvals.js";
export {
  createOpsHooks,
  startOps,
  OpsMonitor,
  type MonitorOptions,
  type OpsLoopDeps,
  type Thresholds,
} from "./monitor.js";
export { createNotifier, type OpsNotifier } from "./notifier.js";
import type { SitrepSource } from "./sitrep-data.js";
export { loadSitrep, queueCounts, type SitrepSource } from "./sitrep-data.js";
export { sitrepText, sitrepBlocks, escapeMrkdwn } from "./sitrep-render.js";
export { type Sitrep, type SitrepWindow, parseWindow, TASK_STATUSES, cut } from "./sitrep.js";
export { DEFAULT_POLICY, type AlertPolicy } from "./alerts.js";
export type { OpsMetrics } from "./metrics.js";
export { runHousekeeping, startHousekeeping, type PruneStep, type HousekeepingOptions } from "./housekeeping.js";
export { startWorkerBeat, liveWorkers, pruneWorkers, type WorkerRow } from "./workers.js";

/**
 * /metrics' registry: the cluster's gauges over the sitrep's source (null: this process's counters only),
 * and this process's counters. prom-client is loaded here, by processes that serve metrics only.
 */
export async function createMetrics(source: SitrepSource | null) {
  const { OpsMetrics } = await import("./metrics.js");
  return new OpsMetrics(source);
}

/** Hooks the engine calls when something needs an operator's attention. */
export interface OpsHooks {
  runFailed(info: { taskId: string; runId: string; error: string }): void;
  deliveryFailed(info: { id: string; channel: string; error: string }): void;
  timersRecreated(count: number): void;
}

export const noopOps: OpsHooks = { runFailed() {}, deliveryFailed() {}, timersRecreated() {} };
