import type { Logger } from "../log/index.js";
import type { SitrepSource } from "../ops/index.js";
import type { AdminDeps } from "./actions.js";
import type { AdminCredentials } from "./auth.js";

/** What the admin page and API need. */
export interface AdminHttpDeps extends AdminDeps, AdminCredentials {
  source: SitrepSource;
  /** Channel names (the channel registry's), for filters. */
  channels: readonly string[];
  logger: Logger;
}
