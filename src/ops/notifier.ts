import type { WebClient } from "@slack/web-api";
import type { Config } from "../config/index.js";
import type { Logger } from "../log/index.js";

/** Where ops messages (alerts, approval requests, subscribed sitreps) go. */
export interface OpsNotifier {
  /** True when messages reach Slack; false when they are only logged. */
  readonly live: boolean;
  /** Posts a message; never throws (a failure to alert is logged, not propagated into the engine). */
  post(msg: { text: string; blocks?: unknown[]; channel?: string }): Promise<{ ok: boolean; ts?: string }>;
}

/**
 * The ops channel on Slack (chat.postMessage to SLACK_OPS_CHANNEL with SLACK_BOT_TOKEN, at SLACK_API_URL),
 * or the log when either is missing.
 */
export function createNotifier(
  config: Pick<Config, "SLACK_BOT_TOKEN" | "SLACK_OPS_CHANNEL" | "SLACK_API_URL">,
  logger: Logger,
): OpsNotifier {
  const token = config.SLACK_BOT_TOKEN;
  const opsChannel = config.SLACK_OPS_CHANNEL;
  if (!token || !opsChannel) {
    return {
      live: false,
      async post(msg) {
        logger.warn(
          { alert: msg.text },
          "ops message (not posted: set SLACK_BOT_TOKEN and SLACK_OPS_CHANNEL to post it to Slack)",
        );
        return { ok: false };
      },
    };
  }
  const base = config.SLACK_API_URL
    ? config.SLACK_API_URL.endsWith("/")
      ? config.SLACK_API_URL
      : `${config.SLACK_API_URL}/`
    : undefined;
  // Loaded on the first message: most processes never post one. Few retries and a short timeout: an
  // alert that cannot go out must not pile up behind Slack.
  let client: Promise<WebClient> | undefined;
  const slack = () =>
    (client ??= import("@slack/web-api").then(
      ({ WebClient, LogLevel }) =>
        new WebClient(token, {
          slackApiUrl: base,
          timeout: 5000,
          retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
          logLevel: LogLevel.ERROR,
        }),
    ));
  return {
    live: true,
    async post(msg) {
      try {
        const r = await (await slack()).chat.postMessage({
          channel: msg.channel ?? opsChannel,
          text: msg.text,
          ...(msg.blocks ? { blocks: msg.blocks as never } : {}),
        });
        return { ok: Boolean(r.ok), ts: r.ts };
      } catch (err) {
        logger.error(
          { err: (err as Error).message, alert: msg.text },
          "could not post the ops message to Slack; check SLACK_BOT_TOKEN, SLACK_OPS_CHANNEL and that the bot is in the channel",
        );
        return { ok: false };
      }
    },
  };
}
