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
  pendingApprovals,
  performAction,
  type ActionRequest,
  type AdminDeps,
  type TaskDetail,
} from "./actions.js";
export { parseFilters, ADMIN_ACTIONS, type AdminAction, type TaskFilters } from "./query.js";
export type { AdminHttpDeps } from "./deps.js";

/** Mounts the admin API, then the page (the API's /admin/api/ routes match first). */
export function mountAdmin(http: HttpServer, d: AdminHttpDeps): void {
  mountAdminApi(http, d);
  mountAdminPage(http, d);
}
