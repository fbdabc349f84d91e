import { Slots } from "../../batch/index.js";
import type { ChannelDeps, ReplyItem } from "../channel.js";
import { persist } from "../persist.js";
import type { InboundMessage } from "../types.js";
import { type AnswerDeps, answerSms } from "./answer.js";

export type InboxDeps = AnswerDeps & Pick<ChannelDeps, "replies" | "inbox">;

/** What an inbound SMS's inbox row keeps to handle it later (see Messages.recordPending). */
export interface SmsPending {
  from: string;
  body: string;
  sid: string;
}

export interface SmsInboxOptions {
  /** How long a webhook waits for its answer to go back in the TwiML (SMS_REPLY_BUDGET_MS). */
  budgetMs: number;
  /** Messages a process interprets and acts on at once (INBOUND_CONCURRENCY); the rest wait their turn. */
  concurrency: number;
  maxSegments: number;
}

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
 * once. The HTTP process that stored it hands it to the workers (InboxQueue) and waits up to the budget:
 * an answer a worker offers by then goes back in the TwiML, a later one through the outbox (the REST API),
 * and which of the two is decided once per message, by the reply's outbox row (unique per inbound
 * message). The HTTP process interprets nothing itself, so its acks stay fast however many messages
 * arrive at once; it handles a message only when Redis refuses the hand-off.
 */
export class SmsInbox {
  private readonly slots: Slots;

  constructor(
    private readonly d: InboxDeps,
    private readonly o: SmsInboxOptions,
  ) {
    this.slots = new Slots(o.concurrency);
  }

  /**
   * In the HTTP process: hands the stored message `inboxId` to the workers and resolves with the answer to
   * put in the TwiML if one is recorded within the budget, else null. Handles it here only when Redis
   * refuses it.
   */
  async answer(inboxId: string, msg: InboundMessage): Promise<string | null> {
    const item = await this.d.inbox.hand("sms", inboxId, {
      waitMs: this.o.budgetMs,
      accept: (reply) => this.d.replies.reply(reply, true),
      refused: (err) => {
        this.d.logger.warn(
          { err: err.message, sid: msg.externalId },
          "could not hand an SMS to the workers; handling it here",
        );
        // Claimed as a worker would, so the job, should Redis take it after all, finds it handled.
        void this.take(inboxId, null).catch((e: Error) =>
          this.d.logger.warn({ err: e.message, sid: msg.externalId }, "could not handle an SMS; the resume loop will"),
        );
      },
    });
    return item?.body ?? null;
  }

  /**
   * In a worker process: handles a message an HTTP process handed over, unless another got to it first;
   * its answer is offered to the webhook still waiting for it, and otherwise goes through the outbox.
   */
  async take(inboxId: string, offer: ((item: ReplyItem) => Promise<void>) | null): Promise<void> {
    const row = await this.claim(inboxId);
    if (!row) return;
    await this.handle(row.id, smsMessage(row.payload, row.receivedAt), async (item) => {
      // Taken or not, the write for the REST API that follows is what makes sure it goes out once.
      await offer?.(item);
      return false;
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

  /** Claims a handed-over inbox row (null when handled already, or when Postgres stays away: see persist). */
  private async claim(inboxId: string) {
    const row = await persist(this.d.logger, { inboxId }, "claim an SMS", () =>
      this.d.messages.claimPending<SmsPending>(inboxId),
    );
    return row ?? null;
  }

  /** Handles a message, retrying while Herald's own services fail; what still fails is left to `resume`. */
  private async handle(inboxId: string, msg: InboundMessage, inline: (r: ReplyItem) => Promise<boolean>) {
    await persist(this.d.logger, { sid: msg.externalId }, "handle an SMS", async (attempt) => {
      await this.slots.acquire();
      try {
        await this.once(inboxId, msg, attempt === 1 ? inline : async () => false);
      } finally {
        this.slots.release();
      }
    });
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
