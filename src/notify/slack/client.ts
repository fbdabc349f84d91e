import { WebClient } from "@slack/web-api";

/** What Slack needs from the configuration (SLACK_*). */
export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  /** Where the Web API is (a test fake, or Slack's own https://slack.com/api/). */
  apiUrl?: string;
  /** Where alerts and approval requests are posted, when set. */
  opsChannel?: string;
  /** chat.postMessage calls per second per channel (SLACK_CHANNEL_RATE_PER_S). @defaultValue 1 */
  channelRatePerS?: number;
  /** Web API calls in flight at once in this process (the SDK's own queue; DELIVERY_CONCURRENCY). @defaultValue 100 */
  maxConcurrency?: number;
}

const clients = new Map<string, WebClient>();

/**
 * The process's one Slack Web API client for a bot token, shared by the inbound adapter (replies, users.info),
 * the sender and the ops notifier. It retries a little on its own; the outbox does the rest, and rate-limited
 * calls are rejected at once (with Slack's Retry-After) rather than waited out inside a send slot.
 */
export function slackClient(s: Pick<SlackSettings, "botToken" | "apiUrl" | "maxConcurrency">): WebClient {
  const base = s.apiUrl ? (s.apiUrl.endsWith("/") ? s.apiUrl : `${s.apiUrl}/`) : undefined;
  const key = `${s.botToken}@${base ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(s.botToken, {
      ...(base ? { slackApiUrl: base } : {}),
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      rejectRateLimitedCalls: true,
      maxRequestConcurrency: s.maxConcurrency ?? 100,
      timeout: 10_000,
    });
    clients.set(key, client);
  }
  return client;
}
