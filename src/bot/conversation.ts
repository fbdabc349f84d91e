import type { Interpretation, Interpreter } from "../ai/index.js";
import { type Db, transact, type Unit } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import { type Actor, LIMITS, type Task, type TaskService } from "../tasks/index.js";
import { type Action, decideTurn, type Outcome, type Reach, type TaskView, type Turn } from "./dialogue/index.js";
import type { DialogueState } from "./dialogue/types.js";
import type { Messages } from "./messages.js";
import type { InboundMessage, Outcome as Handled, Reply } from "./types.js";
import type { User, Users } from "./users.js";

export interface ConversationOptions {
  /** Where a turn's writes commit together. */
  prisma: Db;
  tasks: TaskService;
  users: Users;
  messages: Messages;
  interpreter: Interpreter;
  logger: Logger;
  /** Whether a channel can reach this user (configured on this server, and an address for them). */
  reach?: (user: User, channel: string) => Reach;
}

const view = (t: Task): TaskView => ({
  id: t.id,
  title: t.title,
  status: t.status,
  runAt: t.runAt,
  rrule: t.rrule,
  dtstart: t.dtstart,
  timezone: t.timezone,
  nextRunAt: t.nextRunAt,
  lastRunAt: t.lastRunAt,
  channel: t.channel,
  audience: t.audience,
  approvalReason: t.approvalReason,
  version: t.version,
});

/** Ends a turn's transaction when its message turns out to be stored already (another attempt committed it). */
class SeenBefore extends Error {}

/**
 * Ends a turn's transaction when the user's dialogue state is no longer the one the turn was decided from:
 * two messages of one user handled at once ("remind me to call mom", then "at 5pm"), the later one read the
 * state before the earlier one's draft was written. The turn is decided again from the new state.
 */
class StateMoved extends Error {}
/** Decisions a turn gets before it is written whatever the state (a user sending without pause). */
const TURN_ATTEMPTS = 5;

/** A turn decided from what was read, ready to be written; or a reply that needs no turn (a refusal). */
type Decided = { turn: Turn } | { reply: Reply };

/**
 * One conversation handler for every channel: interprets the message in the user's zone, runs one turn of
 * the dialogue (dialogue/step.ts, pure), and carries out the actions it asks for through the task rules.
 * Everything it reads comes before the turn; everything it writes (the message, keyed by the provider's
 * id, the tasks it creates or changes, the dialogue state and the reply) commits in one transaction, so
 * an attempt cut short (Postgres gone mid-turn) leaves nothing, and the next attempt starts the turn anew;
 * the provider's id seen committed means the message was answered. Timers are set once it commits.
 */
export class Conversation {
  constructor(private readonly o: ConversationOptions) {}

  async handle(msg: InboundMessage): Promise<Handled> {
    for (let attempt = 1; ; attempt++) {
      const user = await this.o.users.findOrCreate(msg.identity, msg.channel);
      if (msg.externalId && (await this.o.messages.seen(msg.channel, msg.externalId))) return { duplicate: true };
      const decided = await this.decide(msg, user);
      try {
        return await this.record(
          msg,
          user,
          (unit, messageId) =>
            "reply" in decided
              ? Promise.resolve(decided.reply)
              : this.carryOutTurn(decided.turn, user, messageId, unit),
          // The turn was decided from this dialogue state; another message's turn may have moved it since.
          attempt < TURN_ATTEMPTS ? user.state : undefined,
        );
      } catch (err) {
        if (!(err instanceof StateMoved)) throw err;
        this.o.logger.debug(
          { attempt },
          "another message of the user's changed the dialogue meanwhile; deciding again",
        );
      }
    }
  }

  /**
   * Stores `msg` from `user` with what `act` writes and the reply it returns (null: nothing is said back),
   * all in one transaction; `{ duplicate: true }` when the message is stored already. For the dialogue's
   * turns, and for what a channel answers itself (an SMS keyword). `decidedFrom`: the dialogue state the
   * reply was decided from; the user's row is locked and the transaction ended (StateMoved) if it moved.
   */
  async record<R extends Reply | null>(
    msg: InboundMessage,
    user: User,
    act: (unit: Unit, messageId: string) => Promise<R>,
    decidedFrom?: unknown,
  ): Promise<{ duplicate: true } | { duplicate: false; reply: R; messageId: string; userId: string }> {
    try {
      return await transact(
        this.o.prisma,
        async (unit) => {
          if (decidedFrom !== undefined) {
            const now = await this.o.users.lockState(user.id, unit.tx);
            if (JSON.stringify(now) !== JSON.stringify(decidedFrom)) throw new StateMoved();
          }
          const message = await this.o.messages.recordInbound(
            {
              userId: user.id,
              channel: msg.channel,
              externalId: msg.externalId,
              body: msg.text,
              address: msg.address,
              receivedAt: msg.receivedAt,
            },
            unit.tx,
          );
          if (!message) throw new SeenBefore();
          const reply = await act(unit, message.id);
          await this.o.messages.recordReply(
            message.id,
            reply && { userId: user.id, channel: msg.channel, body: reply.text, address: msg.address },
            unit.tx,
          );
          return { duplicate: false as const, reply, messageId: message.id, userId: user.id };
        },
        (err) =>
          this.o.logger.warn({ err: err.message }, "could not set a task's timer after a turn; the scheduler will"),
      );
    } catch (err) {
      if (err instanceof SeenBefore) return { duplicate: true };
      throw err;
    }
  }

  /** Reads what the turn needs, interprets the message and decides the turn; writes nothing. */
  private async decide(msg: InboundMessage, user: User): Promise<Decided> {
    const text = msg.text.trim();
    if (text.length > LIMITS.maxRequestChars) {
      return {
        reply: {
          text: `That message is ${text.length} characters; I read up to ${LIMITS.maxRequestChars}. Please send a shorter request.`,
        },
      };
    }
    const now = msg.receivedAt;
    try {
      const [it, tasks, lastFired] = await Promise.all([
        text
          ? this.o.interpreter.interpret(text, { now, tz: user.timezone })
          : Promise.resolve<Interpretation>({ intent: "other", task: null, schedule: null, confidence: 1 }),
        this.o.tasks.listActive(user.id),
        this.o.tasks.lastFired(user.id),
      ]);
      this.o.logger.debug({ intent: it.intent, confidence: it.confidence, issues: it.issues?.length }, "interpreted");
      const state = (user.state ?? {}) as DialogueState;
      const turn = decideTurn({
        text,
        it,
        now,
        user: { id: user.id, timezone: user.timezone },
        channel: msg.channel,
        tasks: tasks.map(view),
        lastFired: lastFired ? view(lastFired) : null,
        // A zone a channel reports (Slack's profile) counts as said.
        state: msg.identity.timezone ? { ...state, zoneConfirmed: true } : state,
        reach: (channel) => this.o.reach?.(user, channel) ?? { ok: true, how: `on ${channel}` },
      });
      return { turn };
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      return { reply: { text: err.message } };
    }
  }

  /** The turn's actions and the dialogue state it leaves, in the turn's transaction; returns the reply. */
  private async carryOutTurn(turn: Turn, user: User, messageId: string, unit: Unit): Promise<Reply> {
    const outcomes: Outcome[] = [];
    for (const a of turn.actions) outcomes.push(await this.carryOut(a, user, messageId, unit));
    const { reply, state: next, taskId } = turn.finish(outcomes);
    await this.o.users.saveState(user.id, next, unit.tx);
    return { text: reply, taskId };
  }

  /** One action, through the task rules; a refusal is an outcome the reply tells, not an error. */
  private async carryOut(a: Action, user: User, messageId: string, unit: Unit): Promise<Outcome> {
    const actor: Actor = { kind: "user", userId: user.id };
    try {
      switch (a.kind) {
        case "create": {
          const t = await this.o.tasks.create(
            { ...a.spec, userId: user.id, sourceMessageId: messageId },
            actor,
            undefined,
            unit,
          );
          return { ok: true, task: view(t) };
        }
        case "apply": {
          const out = await this.o.tasks.apply(a.taskId, a.change, actor, {}, unit);
          return {
            ok: true,
            task: view(out.task),
            before: view(out.before),
            created: out.created ? view(out.created) : undefined,
          };
        }
        case "setTimezone": {
          await this.o.users.setTimezone(user.id, a.timezone, unit.tx);
          user.timezone = a.timezone;
          return { ok: true, task: { ...EMPTY, timezone: a.timezone } };
        }
      }
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      return { ok: false, code: err.code, reason: err.message };
    }
  }
}

/** The outcome of an action that concerns no task (a new zone). */
const EMPTY: TaskView = {
  id: "",
  title: "",
  status: "",
  runAt: null,
  rrule: null,
  dtstart: null,
  timezone: "",
  nextRunAt: null,
  lastRunAt: null,
  channel: "",
  audience: null,
  approvalReason: null,
  version: 0,
};
