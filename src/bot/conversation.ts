import type { Interpretation, Interpreter } from "../ai/index.js";
import { HeraldError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import { type Actor, LIMITS, type Task, type TaskService } from "../tasks/index.js";
import { type Action, decideTurn, type Outcome, type Reach, type TaskView } from "./dialogue/index.js";
import type { DialogueState } from "./dialogue/types.js";
import type { Messages } from "./messages.js";
import type { InboundMessage, Outcome as Handled, Reply } from "./types.js";
import type { User, Users } from "./users.js";

export interface ConversationOptions {
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

/**
 * One conversation handler for every channel: records the message (once, keyed by the provider's id),
 * interprets it in the user's zone, runs one turn of the dialogue (dialogue/step.ts, pure), carries out
 * the actions it asks for through the task rules, and returns the reply. Everything it reads comes before
 * the turn; everything it writes comes after.
 */
export class Conversation {
  constructor(private readonly o: ConversationOptions) {}

  async handle(msg: InboundMessage): Promise<Handled> {
    const user = await this.o.users.findOrCreate(msg.identity, msg.channel);
    const message = await this.o.messages.recordInbound({
      userId: user.id,
      channel: msg.channel,
      externalId: msg.externalId,
      body: msg.text,
      address: msg.address,
      receivedAt: msg.receivedAt,
    });
    if (!message) return { duplicate: true };
    let reply: Reply;
    try {
      reply = await this.respond(msg, user, message.id);
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      reply = { text: err.message };
    }
    await this.o.messages.recordReply(message.id, {
      userId: user.id,
      channel: msg.channel,
      body: reply.text,
      address: msg.address,
    });
    return { duplicate: false, reply, messageId: message.id, userId: user.id };
  }

  private async respond(msg: InboundMessage, user: User, messageId: string): Promise<Reply> {
    const text = msg.text.trim();
    if (text.length > LIMITS.maxRequestChars) {
      return {
        text: `That message is ${text.length} characters; I read up to ${LIMITS.maxRequestChars}. Please send a shorter request.`,
      };
    }
    const now = msg.receivedAt;
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
    const outcomes: Outcome[] = [];
    for (const a of turn.actions) outcomes.push(await this.carryOut(a, user, messageId));
    const { reply, state: next, taskId } = turn.finish(outcomes);
    await this.o.users.saveState(user.id, next);
    return { text: reply, taskId };
  }

  /** One action, through the task rules; a refusal is an outcome the reply tells, not an error. */
  private async carryOut(a: Action, user: User, messageId: string): Promise<Outcome> {
    const actor: Actor = { kind: "user", userId: user.id };
    try {
      switch (a.kind) {
        case "create": {
          const t = await this.o.tasks.create({ ...a.spec, userId: user.id, sourceMessageId: messageId }, actor);
          return { ok: true, task: view(t) };
        }
        case "apply": {
          const out = await this.o.tasks.apply(a.taskId, a.change, actor);
          return {
            ok: true,
            task: view(out.task),
            before: view(out.before),
            created: out.created ? view(out.created) : undefined,
          };
        }
        case "setTimezone": {
          await this.o.users.setTimezone(user.id, a.timezone);
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
