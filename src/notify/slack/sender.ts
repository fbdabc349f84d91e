import type { WebClient } from "@slack/web-api";
import { ProviderError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";
import type { Pace } from "../pace.js";
import type { OutboundMessage, SendResult, Sender } from "../types.js";
import { reminderBlocks } from "./blocks.js";

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
  "not_in_channel",
  "is_archived",
  "msg_too_long",
  "invalid_blocks",
]);

/** What a Slack failure means for a retry: rate limits, network and 5xx may pass; the codes above will not. */
export function classifySlackError(err: unknown): ProviderError {
  const e = err as { code?: string; data?: { error?: string }; message?: string; retryAfter?: number };
  const code = e.data?.error;
  const retryAfterMs = typeof e.retryAfter === "number" ? e.retryAfter * 1000 : undefined;
  const details = { provider: "slack", providerCode: code ?? e.code, retryAfterMs, cause: err };
  if (code && PERMANENT.has(code)) return new ProviderError("permanent", `Slack ${code}`, details);
  if (code === "ratelimited" || code === "rate_limited")
    return new ProviderError("rate_limited", `Slack ${code}`, { ...details, retryAfterMs: retryAfterMs ?? 1000 });
  if (code) return new ProviderError("retryable", `Slack ${code} (will retry)`, details);
  if (retryAfterMs !== undefined)
    return new ProviderError("rate_limited", `Slack rate limited (retry after ${retryAfterMs / 1000} s)`, details);
  return new ProviderError("retryable", `Slack request failed: ${e.message ?? String(err)}`, details);
}

/** A user id (DM them) rather than a conversation id (post there): U…/W… against C…/G…/D…. */
const isUser = (recipient: string) => /^[UW][A-Z0-9]+$/.test(recipient);

/** Posts reminders to the user's DM with Done / Snooze / Cancel buttons, and other messages to their channel. */
export class SlackSender implements Sender {
  readonly channel = "slack";
  /** DM channels opened, by user: conversations.open is a Tier 3 method (about 50 a minute), postMessage is not. */
  private readonly dms = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly channelRatePerS = 1,
  ) {}

  /** Slack limits chat.postMessage to about one message a second per channel (a user's DM is one). */
  pace(m: OutboundMessage): Pace {
    return { key: `slack:${m.recipient}`, perSecond: this.channelRatePerS };
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      let channel = m.recipient;
      if (isUser(m.recipient)) {
        const known = this.dms.get(m.recipient);
        if (known) channel = known;
        else {
          const dm = await this.client.conversations.open({ users: m.recipient });
          if (!dm.channel?.id)
            throw new ProviderError("retryable", `Slack conversations.open returned no channel for ${m.recipient}`, {
              provider: "slack",
            });
          channel = dm.channel.id;
          if (this.dms.size >= 10_000) this.dms.clear();
          this.dms.set(m.recipient, channel);
        }
      }
      const blocks = m.blocks ?? reminderBlocks(m.body, m.task ?? null);
      const posted = await this.client.chat.postMessage({ channel, text: m.body, blocks: blocks as never[] });
      this.logger.info({ deliveryId: m.deliveryId, channel, ts: posted.ts }, "message posted to Slack");
      return { providerId: `${channel}:${posted.ts}`, status: "delivered" };
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw classifySlackError(err);
    }
  }
}
