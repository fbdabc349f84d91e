import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { AnswerWait } from "./answer-wait.js";
import type { InboxQueue, ReplyItem } from "./channel.js";

/** A hand-off Redis has not taken by then is refused (the HTTP process then handles the message itself). */
const HAND_TIMEOUT_MS = 2000;
/** How long past its deadline a worker waits to hear whether the HTTP process took its answer. */
const DECISION_GRACE_MS = 1000;

interface InboxJob {
  inboxId: string;
  /** Where and until when (epoch ms, the HTTP process's clock) the webhook waits for the answer. */
  answer?: { to: string; by: number };
}

/** How `hand` waits for an answer, and what it does when Redis refuses the message. */
export interface HandOptions {
  /** How long the webhook waits for a worker's answer (0: it does not). */
  waitMs?: number;
  /** Records an offered answer as sent inline; false when the message has a reply already. */
  accept?: (item: ReplyItem) => Promise<boolean>;
  /** Redis did not take the message: the caller handles it itself. */
  refused: (err: Error) => void;
}

type Note = { t: "offer"; inboxId: string; item: ReplyItem; from: string } | { t: "decided"; inboxId: string };

/**
 * Stored inbound messages go from the HTTP process that acked them to the worker processes here: one
 * BullMQ job per inbox row, on a queue per channel ("inbox-sms"). The HTTP process does no more than
 * verify, store and hand over, so its acks stay fast however many messages arrive at once, and the
 * interpreting and acting is spread over the workers.
 *
 * A webhook that can carry the answer (Twilio's TwiML) waits a budget for it, while the workers answer in
 * time (AnswerWait: under a burst they cannot, and waiting would only slow the acks): the worker offers its answer
 * to the waiting process over Redis pub/sub, that process records it as answered inline (the reply's
 * outbox row, unique per inbound message) and tells the worker it decided; the worker then writes the
 * reply for the REST API, which is a no-op when the inline one was recorded. Whichever write comes first
 * wins, so a reply goes out once whatever is late or lost. The inbox row in Postgres stays the record of
 * the message: a job lost with Redis, or whose worker died, leaves its row to the resume loop.
 */
export class InboxHandoff implements InboxQueue {
  private readonly queues = new Map<string, Queue<InboxJob>>();
  private readonly workers: Worker<InboxJob>[] = [];
  /** This process's pub/sub channel, and its subscriber (opened on first use). */
  private readonly me: string;
  private sub: Promise<Redis> | undefined;
  private readonly offers = new Map<string, (item: ReplyItem, from: string) => void>();
  private readonly decisions = new Map<string, () => void>();
  private readonly waits = new AnswerWait();

  constructor(private readonly o: { redis: Redis; prefix: string; logger: Logger; newConnection: () => Redis }) {
    this.me = `${o.prefix}:inbox-answers:${randomUUID()}`;
  }

  hand(channel: string, inboxId: string, o: HandOptions): Promise<ReplyItem | null> {
    // Waiting for the answer only while the workers answer in time (see AnswerWait).
    const wait = o.accept && (o.waitMs ?? 0) > 0 ? this.waits.begin(Date.now()) : null;
    const waitMs = wait ? o.waitMs! : 0;
    const by = Date.now() + waitMs;
    let settle!: (item: ReplyItem | null) => void;
    const answered = new Promise<ReplyItem | null>((resolve) => (settle = resolve));
    const waited = (offered: boolean) => {
      if (wait) this.waits.done(Date.now(), wait, offered);
    };
    // The deadline runs from now, whatever Redis does: a Redis that hangs must not hold the webhook.
    const timer = setTimeout(() => {
      if (this.offers.delete(inboxId)) waited(false);
      settle(null);
    }, waitMs);
    if (waitMs > 0)
      this.offers.set(inboxId, (item, from) => {
        clearTimeout(timer);
        this.offers.delete(inboxId);
        waited(true);
        void o.accept!(item)
          .catch((err: Error) => {
            this.o.logger.warn({ err: err.message, inboxId }, "could not record an inline reply");
            return false;
          })
          .then((taken) => {
            settle(taken ? item : null);
            return this.note(from, { t: "decided", inboxId });
          })
          .catch(() => {});
      });
    const handed = (async () => {
      if (waitMs > 0) await this.subscribed();
      const job: InboxJob = waitMs > 0 ? { inboxId, answer: { to: this.me, by } } : { inboxId };
      await this.queue(channel).add(channel, job, JOB_OPTS(channel, inboxId));
    })();
    // A Redis that is down holds commands until it is back (BullMQ's connections retry forever).
    let refusal: NodeJS.Timeout | undefined;
    const refused = new Promise<never>((_, reject) => {
      refusal = setTimeout(
        () => reject(new Error(`Redis did not take the message within ${HAND_TIMEOUT_MS} ms`)),
        HAND_TIMEOUT_MS,
      );
    });
    void Promise.race([handed, refused])
      .finally(() => clearTimeout(refusal))
      .catch((err: Error) => {
        clearTimeout(timer);
        if (this.offers.delete(inboxId)) waited(false);
        settle(null);
        o.refused(err);
      });
    return answered;
  }

  take(
    channel: string,
    concurrency: number,
    handle: (inboxId: string, offer: ((item: ReplyItem) => Promise<void>) | null) => Promise<void>,
  ): void {
    const w = new Worker<InboxJob>(
      `inbox-${channel}`,
      (job) => {
        const { inboxId, answer } = job.data;
        return handle(inboxId, answer ? (item) => this.offer(inboxId, item, answer) : null);
      },
      { connection: this.o.newConnection(), prefix: this.o.prefix, concurrency },
    );
    w.on("error", (err) => this.o.logger.warn({ err: err.message, channel }, "inbox worker error"));
    this.workers.push(w);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.map((w) => w.close()), ...[...this.queues.values()].map((q) => q.close())]);
    if (this.sub) (await this.sub).disconnect();
  }

  /** Offers an answer to the webhook waiting for it, and waits for its decision (or its deadline to pass). */
  private async offer(inboxId: string, item: ReplyItem, answer: { to: string; by: number }): Promise<void> {
    if (Date.now() >= answer.by) return;
    await this.subscribed();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, answer.by - Date.now() + DECISION_GRACE_MS);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.decisions.delete(inboxId);
        resolve();
      }
      this.decisions.set(inboxId, done);
      this.note(answer.to, { t: "offer", inboxId, item, from: this.me }).catch(done);
    });
  }

  private async note(to: string, note: Note): Promise<void> {
    await this.o.redis.publish(to, JSON.stringify(note));
  }

  private subscribed(): Promise<Redis> {
    this.sub ??= (async () => {
      const sub = this.o.newConnection();
      sub.on("error", () => {}); // ioredis reconnects by itself; the commands waiting on it say what failed
      sub.on("message", (_channel: string, raw: string) => {
        const note = JSON.parse(raw) as Note;
        if (note.t === "offer") {
          const taker = this.offers.get(note.inboxId);
          // Too late (the webhook was acked empty): the worker need not wait for a decision.
          if (taker) taker(note.item, note.from);
          else void this.note(note.from, { t: "decided", inboxId: note.inboxId }).catch(() => {});
        } else this.decisions.get(note.inboxId)?.();
      });
      await sub.subscribe(this.me);
      return sub;
    })();
    return this.sub;
  }

  private queue(channel: string): Queue<InboxJob> {
    let q = this.queues.get(channel);
    if (!q) {
      q = new Queue<InboxJob>(`inbox-${channel}`, { connection: this.o.redis, prefix: this.o.prefix });
      q.on("error", () => {}); // as the commands that fail say (else BullMQ prints every connection error)
      this.queues.set(channel, q);
    }
    return q;
  }
}

const JOB_OPTS = (channel: string, inboxId: string) => ({
  jobId: `${channel}-${inboxId}`,
  removeOnComplete: true,
  removeOnFail: true,
});
