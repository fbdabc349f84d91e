import type { Logger } from "../log/index.js";
import type { SlackSettings } from "../notify/slack/index.js";

/** Where ops messages (alerts, approval requests) go. */
export interface OpsNotifier {
  /** True when messages reach Slack; false when they are only logged. */
  readonly live: boolean;
  /** Posts a message; never throws (a failure to alert is logged, not propagated into the engine). */
  post(msg: { text: string; blocks?: unknown[]; channel?: string }): Promise<{ ok: boolean; ts?: string }>;
}

/**
 * The ops channel on Slack (chat.postMessage to SLACK_OPS_CHANNEL through the process's one Slack client),
 * or the log when Slack or the ops channel is not configured. Alerts go to Slack directly, not through the
 * outbox: an alert about the outbox failing must not wait in it.
 */
export function createNotifier(
  slack: Pick<SlackSettings, "botToken" | "apiUrl" | "opsChannel"> | null | undefined,
  logger: Logger,
): OpsNotifier {
  const opsChannel = slack?.opsChannel;
  if (!slack?.botToken || !opsChannel) {
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
  // Loaded on the first message: most processes never post one.
  const client = () => import("../notify/slack/index.js").then((m) => m.slackClient(slack));
  return {
    live: true,
    async post(msg) {
      try {
        const r = await (await client()).chat.postMessage({
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
