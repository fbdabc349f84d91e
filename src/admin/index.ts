import type { HttpServer } from "../http/index.js";
import { mountAdminApi } from "./api.js";
import type { AdminHttpDeps } from "./deps.js";
import { mountAdminPage } from "./page.js";

/**
 * The admin web app and its API: review, approve, cancel and retry stored tasks (/admin and /admin/api,
 * behind ADMIN_TOKEN), and the same actions for the CLI and Slack's approval buttons.
 */
export {
  approvalFromSlack,
  getTaskDetail,
  listTasks,
  ownerLabel,
  pendingApprovals,
  performAction,
  type ActionRequest,
  type AdminDeps,
  type TaskDetail,
} from "./actions.js";
export {
  parseFilters,
  parseRunFilters,
  parseReportWindow,
  ADMIN_ACTIONS,
  type AdminAction,
  type TaskFilters,
  type RunFilters,
} from "./query.js";
export { listRuns, historyReport, historyReportText, type RunRow, type HistoryReport } from "./history.js";
export { previewBulk, applyBulk, BULK_ACTIONS, type BulkAction, type BulkPreview, type BulkResult } from "./bulk.js";
export { bulkAction } from "./api.js";
export { optionalDate, optionalInt } from "./http-util.js";
export { resendFailed, setChannelPaused, type DeliveryControl, type ResendRequest } from "./deliveries.js";
export { authenticate, type AdminCredentials, type NamedToken } from "./auth.js";
export type { AdminHttpDeps } from "./deps.js";

/** Mounts the admin API, then the page (the API's /admin/api/ routes match first). */
export function mountAdmin(http: HttpServer, d: AdminHttpDeps): void {
  mountAdminApi(http, d);
  mountAdminPage(http, d);
}
