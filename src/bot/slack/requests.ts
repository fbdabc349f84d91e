/**
 * Which Slack payloads are conversations with Herald, as plain data. The receiver uses this to record a
 * request before acking, the listeners and the resume-on-start to act on it: one definition for all three.
 */
export interface SlackRequest {
  /** Unique per request: the event id, or the slash command's trigger id. */
  key: string;
  kind: "dm" | "mention" | "command";
  userId: string;
  text: string;
  channel: string;
  /** The thread to answer in (mentions); DMs answer in the DM itself. */
  threadTs?: string;
  /** Slash commands answer through their response_url. */
  responseUrl?: string;
}

type Body = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Removes the leading @-mention of the bot ("<@U123> remind me…" → "remind me…"). */
export const stripMention = (text: string) => text.replace(/^\s*(<@[A-Z0-9]+(\|[^>]*)?>[\s,:]*)+/i, "").trim();

/** The conversation a Slack body carries, or null for anything else (bot messages, edits, other events). */
export function conversationOf(body: Body): SlackRequest | null {
  if (body.type === "event_callback") {
    const e = (body.event ?? {}) as Body;
    const key = str(body.event_id);
    const user = str(e.user);
    const channel = str(e.channel);
    if (!key || !user || !channel || e.bot_id || e.subtype) return null;
    if (e.type === "message" && e.channel_type === "im")
      return { key, kind: "dm", userId: user, text: str(e.text) ?? "", channel };
    if (e.type === "app_mention")
      return {
        key,
        kind: "mention",
        userId: user,
        text: stripMention(str(e.text) ?? ""),
        channel,
        threadTs: str(e.thread_ts) ?? str(e.ts),
      };
    return null;
  }
  if (body.command === "/herald") {
    const key = str(body.trigger_id);
    const user = str(body.user_id);
    const channel = str(body.channel_id);
    if (!key || !user || !channel) return null;
    return {
      key,
      kind: "command",
      userId: user,
      text: str(body.text) ?? "",
      channel,
      responseUrl: str(body.response_url),
    };
  }
  return null;
}

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Why a signed body is not something Slack sends, or null when it is: every event callback carries its
 * event (an object with a type), every url_verification its challenge, every interactivity payload a type.
 * Such a request is answered 400 and nothing of it is stored.
 * https://api.slack.com/apis/events-api#callback-field, https://api.slack.com/events/url_verification
 */
export function malformed(body: Body): string | null {
  if (body.type === "url_verification")
    return typeof body.challenge === "string" && body.challenge ? null : "url_verification without a challenge";
  if (body.type === "event_callback") {
    if (!isObject(body.event)) return "event_callback without an event object";
    if (typeof body.event.type !== "string") return "event without a type";
    return null;
  }
  if (typeof body.command === "string" || body.ssl_check) return null;
  if (typeof body.type !== "string") return "neither an event, a command nor an interactivity payload";
  return null;
}
