import { channelsConfigured } from "../config/index.js";
import type { HttpServer } from "../http/index.js";
import type { Runtime } from "../runtime/index.js";
import { mountSlack } from "./slack/app.js";
import { mountSms } from "./sms/webhook.js";

/**
 * Mounts the inbound webhooks of every configured channel (Slack, SMS) on the one HTTP server.
 * Channels without credentials are not mounted.
 */
export function mountChannels(http: HttpServer, rt: Runtime): void {
  const on = channelsConfigured(rt.config);
  if (on.slack) mountSlack(http, rt);
  if (on.sms) mountSms(http, rt);
}
