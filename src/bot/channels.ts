import type { HttpServer } from "../http/index.js";
import type { Runtime } from "../runtime/index.js";

/**
 * Mounts the inbound webhooks of every configured channel (Slack, SMS) on the one HTTP server.
 * Channels without credentials are not mounted.
 */
export function mountChannels(_http: HttpServer, _rt: Runtime): void {}
