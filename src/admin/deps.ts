import type { Logger } from "../log/index.js";
import type { SitrepSource } from "../ops/index.js";
import type { AdminDeps } from "./actions.js";

/** What the admin page and API need. */
export interface AdminHttpDeps extends AdminDeps {
  /** ADMIN_TOKEN: unset turns the admin API and page off. */
  adminToken?: string;
  source: SitrepSource;
  /** Channel names (the channel registry's), for filters. */
  channels: readonly string[];
  logger: Logger;
}
