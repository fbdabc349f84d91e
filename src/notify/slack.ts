import { webApi } from "@slack/bolt";
import type pg from "pg";
import type { Logger } from "../log/index.js";
import { reminderBlocks } from "./slackBlocks.js";
import { DeliveryError, type OutboundMessage, type SendResult, type Sender } from "./types.js";

/** A Slack Web API client for the bot token, at SLACK_API_URL; it retries a little, the outbox does the rest. */
export function slackClient(token: string, apiUrl?: string): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

/** Slack error codes that no retry will fix. https://api.slack.com/methods/chat.postMessage#errors */
const PERMANENT = new Set([
  "user_not_found",
  "user_disabled",
  "account_inactive",
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "missing_scope",
  "cannot_dm_bot",
  "channel_not_found",
  "is_archived",
  "msg_too_long",
  "invalid_blocks",
]);

/** Whether a Slack failure is worth retrying: rate limits, network and 5xx are; the codes above are not. */
export function classifySlackError(err: unknown): { permanent: boolean; message: string } {
  const e = err as { code?: string; data?: { error?: string }; message?: string };
  const code = e.data?.error;
  if (code)
    return { permanent: PERMANENT.has(code), message: `Slack ${code}${PERMANENT.has(code) ? "" : " (will retry)"}` };
  return { permanent: false, message: `Slack request failed: ${e.message ?? String(err)}` };
}

/** Posts reminders to the user's DM with Done / Snooze / Cancel buttons. */
export class SlackSender implements Sender {
  readonly channel = "slack";
  constructor(
    private readonly client: webApi.WebClient,
    private readonly pool: () => pg.Pool,
    private readonly logger: Logger,
  ) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      const task = await this.taskOf(m.deliveryId);
      const dm = await this.client.conversations.open({ users: m.recipient });
      const channel = dm.channel?.id;
      if (!channel) throw new DeliveryError(`Slack conversations.open returned no channel for ${m.recipient}`);
      const posted = await this.client.chat.postMessage({
        channel,
        text: m.body,
        blocks: reminderBlocks(m.body, task) as never[],
      });
      this.logger.info({ deliveryId: m.deliveryId, channel, ts: posted.ts }, "reminder posted to Slack");
      return { providerId: `${channel}:${posted.ts}`, status: "delivered" };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const c = classifySlackError(err);
      throw new DeliveryError(c.message, { permanent: c.permanent });
    }
  }

  private async taskOf(deliveryId: string): Promise<{ id: string; recurring: boolean } | null> {
    const { rows } = await this.pool().query<{ id: string; rrule: string | null }>(
      `SELECT t.id, t.rrule FROM deliveries d JOIN tasks t ON t.id = d.task_id WHERE d.id = $1`,
      [deliveryId],
    );
    return rows[0] ? { id: rows[0].id, recurring: Boolean(rows[0].rrule) } : null;
  }
}
