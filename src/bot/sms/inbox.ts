import { setTimeout as sleep } from "node:timers/promises";
import { Slots } from "../../batch/index.js";
import type { ChannelDeps, ReplyItem } from "../channel.js";
import type { InboundMessage } from "../types.js";
import { type AnswerDeps, answerSms } from "./answer.js";

export type InboxDeps = AnswerDeps & Pick<ChannelDeps, "replies">;

/** What an inbound SMS's inbox row keeps to handle it later (see Messages.recordPending). */
export interface SmsPending {
  from: string;
  body: string;
  sid: string;
}

export interface SmsInboxOptions {
  /** How long a webhook waits for its answer to go back in the TwiML (SMS_REPLY_BUDGET_MS). */
  budgetMs: number;
  /** Messages interpreted and acted on at once (INBOUND_CONCURRENCY); the rest wait their turn. */
  concurrency: number;
  maxSegments: number;
}

/** Attempts at handling a message in this process (Postgres away, say) before it is left to the resume loop. */
const ATTEMPTS = 6;
const RETRY_BASE_MS = 500;

export const smsMessage = (p: SmsPending, receivedAt: Date): InboundMessage => ({
  channel: "sms",
  externalId: p.sid,
  text: p.body,
  identity: { phone: p.from },
  address: { phone: p.from },
  receivedAt,
});

/**
 * The slow half of an inbound SMS, after it is stored: the conversation (or a keyword) and the reply, sent
 * once. The webhook waits up to the budget: an answer ready by then goes back in the TwiML, a later one
 * through the outbox (the REST API), and which of the two is decided here, once per message, with the
 * reply's outbox row (unique per inbound message) as the record of it. A message that cannot start at once
 * (every slot busy) is acked without waiting: its answer could not be ready in time.
 */
export class SmsInbox {
  private readonly slots: Slots;

  constructor(
    private readonly d: InboxDeps,
    private readonly o: SmsInboxOptions,
  ) {
    this.slots = new Slots(o.concurrency);
  }

  /** Handles the stored message `inboxId`; resolves with the TwiML answer if it is ready within the budget, else null. */
  answer(inboxId: string, msg: InboundMessage): Promise<string | null> {
    return new Promise((resolve) => {
      let open = this.o.budgetMs > 0 && this.slots.free;
      if (!open) resolve(null);
      const close = () => {
        if (!open) return false;
        open = false;
        clearTimeout(timer);
        return true;
      };
      const timer = setTimeout(() => close() && resolve(null), this.o.budgetMs);
      const inline = async (item: ReplyItem) => {
        if (!close()) return false;
        try {
          const written = await this.d.replies.reply(item, true);
          resolve(written ? item.body : null);
          return true;
        } catch (err) {
          // Not recorded, so not sent in the TwiML either: it goes through the outbox, once, like a late answer.
          this.d.logger.warn({ err: (err as Error).message, sid: msg.externalId }, "could not record an SMS reply");
          resolve(null);
          return false;
        }
      };
      void this.handle(inboxId, msg, inline).finally(() => close() && resolve(null));
    });
  }

  /** Handles inbox rows left unhandled since before `olderThan` (their process died after the ack). */
  async resume(olderThan: Date): Promise<number> {
    const stale = await this.d.messages.claimStalePending<SmsPending>("sms", olderThan);
    for (const { id, payload, receivedAt } of stale) {
      this.d.logger.info({ sid: payload.sid }, "resuming an SMS left unhandled");
      await this.handle(id, smsMessage(payload, receivedAt), async () => false);
    }
    return stale.length;
  }

  /** Handles a message, retrying while Herald's own services fail; what still fails is left to `resume`. */
  private async handle(inboxId: string, msg: InboundMessage, inline: (r: ReplyItem) => Promise<boolean>) {
    for (let attempt = 1; ; attempt++) {
      await this.slots.acquire();
      try {
        await this.once(inboxId, msg, attempt === 1 ? inline : async () => false);
        return;
      } catch (err) {
        const log = { sid: msg.externalId, attempt, err: (err as Error).message };
        if (attempt >= ATTEMPTS) {
          this.d.logger.error(log, "could not handle an SMS; it stays in the inbox and is resumed later");
          return;
        }
        this.d.logger.warn(log, "could not handle an SMS yet; will retry");
      } finally {
        this.slots.release();
      }
      await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
    }
  }

  private async once(inboxId: string, msg: InboundMessage, inline: (r: ReplyItem) => Promise<boolean>) {
    const sid = msg.externalId!;
    const phone = msg.identity.phone!;
    const ans = await answerSms(this.d, msg, this.o.maxSegments);
    // Seen before (resumed after a crash, or an earlier attempt got this far): the reply it stored, which
    // the outbox sends at most once whatever happened to the earlier attempt.
    const reply = ans.duplicate
      ? await this.d.messages.replyFor("sms", sid)
      : ans.reply
        ? { userId: ans.userId, body: ans.reply }
        : null;
    if (reply) {
      const item: ReplyItem = { replyTo: `sms:${sid}`, channel: "sms", recipient: phone, ...reply };
      const inlineOnly = !ans.duplicate && ans.inlineOnly;
      if (!(await inline(item)) && !inlineOnly) await this.d.replies.reply(item, false);
    }
    await this.d.messages.finishPending(inboxId);
  }
}
