import type { WebClient } from "@slack/web-api";
import type { ChannelDeps } from "../channel.js";
import type { SlackRequest } from "./requests.js";

/** A recorded Slack request, as the receiver hands it to the listeners (context.heraldInbound). */
export interface Inbound {
  id: string;
  request: SlackRequest;
  receivedAt: Date;
}

export type ConverseDeps = Pick<ChannelDeps, "conversation" | "messages" | "logger">;

/**
 * The slow half of a Slack conversation, after the ack: the user's zone from users.info, the conversation,
 * and the reply in the same DM or thread (slash commands: through their response_url).
 */
export async function converse(
  d: ConverseDeps,
  client: WebClient,
  { id, request: r, receivedAt }: Inbound,
): Promise<void> {
  const profile = await client.users.info({ user: r.userId }).catch((err: Error) => {
    d.logger.warn({ err: err.message }, "Slack users.info failed; using the stored or default time zone");
    return null;
  });
  const out = await d.conversation.handle({
    channel: "slack",
    externalId: r.key,
    text: r.text,
    identity: {
      slackUserId: r.userId,
      name: profile?.user?.real_name ?? profile?.user?.name,
      timezone: profile?.user?.tz,
    },
    address: { channel: r.channel, threadTs: r.threadTs },
    receivedAt,
  });
  // Stored by the conversation (or seen before): the inbox row has done its job either way.
  await d.messages.finishPending(id);
  if (out.duplicate) return;
  const text = out.reply.text;
  if (r.kind === "command" && r.responseUrl) {
    const res = await fetch(r.responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", text }),
    });
    if (!res.ok)
      d.logger.warn({ status: res.status }, "Slack response_url refused the reply (expired after 30 minutes?)");
    return;
  }
  await client.chat.postMessage({ channel: r.channel, text, ...(r.threadTs ? { thread_ts: r.threadTs } : {}) });
}

/** Handles requests recorded before `olderThan` and never finished (their process died after the ack). */
export async function resumeSlackInbox(d: ConverseDeps, client: WebClient, olderThan: Date): Promise<number> {
  const stale = await d.messages.claimStalePending<SlackRequest>("slack", olderThan);
  for (const { id, payload: request, receivedAt } of stale) {
    d.logger.info({ key: request.key }, "resuming a Slack request left unhandled");
    await converse(d, client, { id, request, receivedAt }).catch((err: Error) =>
      d.logger.error({ err: err.message, key: request.key }, "resumed Slack request failed"),
    );
  }
  return stale.length;
}
