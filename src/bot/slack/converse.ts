import { ErrorCode, type WebClient } from "@slack/web-api";
import type { ChannelDeps } from "../channel.js";
import { persist } from "../persist.js";
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
 * and the reply in the same DM or thread (slash commands: through their response_url). Each step is retried
 * while it fails (persist); the inbox row is finished only once the reply is out, so a request whose
 * process died, or whose steps kept failing, is taken up by the resume loop, and a turn committed before
 * the failure is answered with the reply it stored.
 */
export async function converse(d: ConverseDeps, client: WebClient, inbound: Inbound): Promise<void> {
  const about = { key: inbound.request.key };
  const text = await persist(d.logger, about, "handle a Slack request", () => answer(d, client, inbound));
  if (text === undefined) return;
  if (text !== null) {
    const posted = await persist(d.logger, about, "post a Slack reply", async () => {
      await post(d, client, inbound.request, text);
      return true;
    });
    if (!posted) return;
  }
  await persist(d.logger, about, "finish a Slack request", () => d.messages.finishPending(inbound.id));
}

/** The reply to a request: the conversation's, or the one stored by an earlier attempt (null: none). */
async function answer(d: ConverseDeps, client: WebClient, { request: r, receivedAt }: Inbound): Promise<string | null> {
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
  if (!out.duplicate) return out.reply.text;
  return (await d.messages.replyFor("slack", r.key))?.body ?? null;
}

/**
 * Posts the reply; a refusal Slack gives (the channel is gone, the bot was removed) is logged and not
 * tried again, anything else (Slack unreachable, rate-limited) throws to be retried.
 */
async function post(d: ConverseDeps, client: WebClient, r: SlackRequest, text: string): Promise<void> {
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
  try {
    await client.chat.postMessage({ channel: r.channel, text, ...(r.threadTs ? { thread_ts: r.threadTs } : {}) });
  } catch (err) {
    if ((err as { code?: string }).code !== ErrorCode.PlatformError) throw err;
    d.logger.warn({ err: (err as Error).message, key: r.key }, "Slack refused the reply; not trying again");
  }
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
