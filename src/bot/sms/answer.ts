import type { Tx } from "../../db/index.js";
import { maskPhone } from "../../log/index.js";
import { fitSegments } from "../../notify/sms/index.js";
import type { ChannelDeps } from "../channel.js";
import type { InboundMessage } from "../types.js";
import type { User } from "../users.js";
import { keywordOf, SMS_HELP, SMS_OPTED_IN, SMS_OPTED_OUT } from "./keywords.js";

export type AnswerDeps = Pick<ChannelDeps, "conversation" | "users" | "messages" | "logger">;

/**
 * What Herald says back to one inbound SMS: the reply (null: nothing, as to an opted-out sender), or that
 * the message was handled before (its stored reply, if any, is then looked up by the caller).
 * `inlineOnly`: the STOP confirmation, which may go back in the webhook's TwiML but never through the REST
 * API (Twilio blocks messages to a number that opted out, and confirms the opt-out itself).
 */
export type SmsAnswer =
  | { duplicate: true }
  | { duplicate: false; userId: string; reply: string | null; inlineOnly?: boolean };

/**
 * Handles one inbound SMS through the conversation, or as a carrier keyword (STOP, START, HELP). "done"
 * is a conversation like any other, so it can be undone and answers a pending question in context.
 */
export async function answerSms(d: AnswerDeps, msg: InboundMessage, maxSegments: number): Promise<SmsAnswer> {
  const keyword = keywordOf(msg.text);
  const user = await d.users.findOrCreate(msg.identity, "sms");
  if (!keyword && !user.optedOut) {
    const out = await d.conversation.handle(msg);
    if (out.duplicate) return { duplicate: true };
    return { duplicate: false, userId: out.userId, reply: fitSegments(out.reply.text, maxSegments) };
  }
  // Keywords and opted-out senders are answered here; the message is still stored once, keyed by its sid,
  // with what the keyword changes.
  const out = await d.conversation.record(msg, user, async (unit) => {
    const text = await keywordReply(d, user, keyword, unit.tx);
    return text ? { text } : null;
  });
  if (out.duplicate) return { duplicate: true };
  return {
    duplicate: false,
    userId: user.id,
    reply: out.reply ? fitSegments(out.reply.text, maxSegments) : null,
    inlineOnly: keyword === "opt_out",
  };
}

async function keywordReply(
  d: AnswerDeps,
  user: User,
  keyword: ReturnType<typeof keywordOf>,
  tx: Tx,
): Promise<string | null> {
  switch (keyword) {
    case "opt_out":
      await d.users.optOut(user.id, tx);
      d.logger.info({ phone: maskPhone(user.phone), userId: user.id }, "SMS opt-out");
      return SMS_OPTED_OUT;
    case "opt_in":
      await d.users.optIn(user.id, tx);
      return SMS_OPTED_IN;
    default:
      // Opted out: nothing goes to the number, not even a reply, until START.
      return user.optedOut ? null : SMS_HELP;
  }
}
