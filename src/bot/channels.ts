import { channelsConfigured } from "../config/index.js";
import type { HttpServer } from "../http/index.js";
import type { Runtime } from "../runtime/index.js";

/**
 * Mounts the inbound webhooks of every configured channel (Slack, SMS) on the one HTTP server.
 * Channels without credentials are not mounted, and their SDKs (Bolt, twilio) are not even loaded.
 */
export async function mountChannels(http: HttpServer, rt: Runtime): Promise<void> {
  const on = channelsConfigured(rt.config);
  if (on.slack) (await import("./slack/app.js")).mountSlack(http, rt);
  if (on.sms) (await import("./sms/webhook.js")).mountSms(http, rt);
}
