import { send, type HttpServer } from "../http/index.js";
import type { Runtime } from "../runtime/index.js";
import { mountAdminApi } from "./admin-api.js";
import { mountAdminPage } from "./admin-page.js";
import { OpsMetrics } from "./metrics.js";
import { sourceOf } from "./sitrep-data.js";
import { sitrepCommand, type SlackReply } from "./subscriptions.js";

/**
 * Operations: /sitrep, alerts, admin API and page, metrics. Mounted on the one HTTP server.
 * Routes: GET /metrics, /admin/api/… (bearer ADMIN_TOKEN), /admin (web page).
 */
export function mountOps(http: HttpServer, rt: Runtime): void {
  const metrics = new OpsMetrics(sourceOf(rt));
  http.route("GET", "/metrics", async (_req, res) => {
    const body = await metrics.render();
    send(res, 200, body, { "content-type": metrics.contentType });
  });
  mountAdminApi(http, rt);
  mountAdminPage(http, rt);
}

/** Hooks the engine calls when something needs an operator's attention. */
export interface OpsHooks {
  runFailed(info: { taskId: string; runId: string; error: string }): void;
  deliveryFailed(info: { id: string; channel: string; error: string }): void;
  timersRecreated(count: number): void;
}

export const noopOps: OpsHooks = { runFailed() {}, deliveryFailed() {}, timersRecreated() {} };

/**
 * Answers Slack's `/sitrep [1h|24h|7d]`, `/sitrep subscribe …`, `/sitrep unsubscribe` (the Slack adapter
 * routes the command here). Returns the message to post: text and Block Kit blocks.
 */
export async function handleSitrepCommand(
  rt: Runtime,
  args: { text: string; channelId: string; userId: string },
): Promise<SlackReply> {
  return sitrepCommand(rt, args);
}

export { isSitrepTask, renderSitrepForTask, type SlackReply } from "./subscriptions.js";
export { withSitrepExecutor, type SitrepExecutorDeps } from "./sitrep-executor.js";
export { handleApprovalAction, postPendingApprovals, APPROVE_ACTION_ID, REJECT_ACTION_ID } from "./approvals.js";
export { createOpsHooks, startOps, OpsMonitor, type MonitorOptions, type Thresholds } from "./monitor.js";
export { createNotifier, type OpsNotifier } from "./notifier.js";
export { loadSitrep, sourceOf, type SitrepSource } from "./sitrep-data.js";
export { sitrepText, sitrepBlocks } from "./sitrep-render.js";
export { type Sitrep, type SitrepWindow, parseWindow } from "./sitrep.js";
export { listTasks, getTaskDetail, performAction, type ActionRequest } from "./admin.js";
export { parseFilters, ADMIN_ACTIONS, type AdminAction, type TaskFilters } from "./admin-query.js";
export { DEFAULT_POLICY, type AlertPolicy } from "./alerts.js";
