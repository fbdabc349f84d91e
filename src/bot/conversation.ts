import type { Interpretation, Interpreter, TaskRef } from "../ai/index.js";
import { HeraldError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import { type Actor, LIMITS, type Task, type TaskChange, type TaskService, type When } from "../tasks/index.js";
import { instantToWall, isValidTimeZone, formatForUser } from "../time/index.js";
import { HELP, NOT_UNDERSTOOD, askWhen, confirmCreated, describeSchedule, listTasks } from "./replies.js";
import type { InboundMessage, Outcome, Reply } from "./types.js";
import type { Messages } from "./messages.js";
import { type ConversationState, stateOf, type User, type Users } from "./users.js";

export interface ConversationOptions {
  tasks: TaskService;
  users: Users;
  messages: Messages;
  interpreter: Interpreter;
  logger: Logger;
}

/**
 * One conversation handler for every channel: records the message (once, keyed by the provider's id),
 * interprets it in the user's zone, acts, and returns the reply.
 */
export class Conversation {
  constructor(private readonly o: ConversationOptions) {}

  async handle(msg: InboundMessage): Promise<Outcome> {
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
    if (!text) return { text: NOT_UNDERSTOOD };
    const tz = user.timezone;
    const now = msg.receivedAt;
    const state = stateOf(user);
    let it = await this.o.interpreter.interpret(text, { now, tz });
    // Until the dialogue knows undo of every kind (issue 11), "undo" cancels what was just made.
    if (it.intent === "undo") it = { ...it, intent: "cancel", ref: { kind: "last" } };

    // A draft waiting for its time: "at 5" completes "remind me to call mom".
    if (state.draft && !["list", "cancel", "help", "timezone", "pause", "resume"].includes(it.intent)) {
      const combined = await this.o.interpreter.interpret(`remind me to ${state.draft.task} ${text}`, { now, tz });
      if (combined.intent === "create" && combined.schedule && combined.schedule.kind !== "unspecified") {
        it = {
          ...combined,
          task: state.draft.task,
          channel: combined.channel ?? (state.draft.channel as Interpretation["channel"]),
          audience: combined.audience ?? state.draft.audience,
        };
      }
    }
    this.o.logger.debug({ intent: it.intent, confidence: it.confidence }, "interpreted");

    switch (it.intent) {
      case "create":
        return this.create(it, msg, user, state, messageId);
      case "list": {
        const tasks = await this.o.tasks.listActive(user.id, it.range);
        await this.o.users.saveState(user.id, { ...state, lastList: tasks.map((t) => t.id) });
        return { text: listTasks(tasks, tz, now, it.range ? "Coming up" : "Your reminders") };
      }
      case "cancel":
      case "pause":
      case "resume":
      case "snooze":
      case "reschedule":
        return this.change(it, user, state, now);
      case "timezone": {
        if (!it.timezone || !isValidTimeZone(it.timezone))
          return { text: 'Which time zone? Say it like "my time zone is Europe/Berlin" or "America/New_York".' };
        await this.o.users.setTimezone(user.id, it.timezone);
        return { text: `✓ Your time zone is now ${it.timezone}. It's ${formatForUser(now, it.timezone)} there.` };
      }
      case "help":
        return { text: HELP };
      default:
        return { text: NOT_UNDERSTOOD };
    }
  }

  private async create(
    it: Interpretation,
    msg: InboundMessage,
    user: User,
    state: ConversationState,
    messageId: string,
  ): Promise<Reply> {
    const task = it.task?.trim();
    if (!task) return { text: 'What should I remind you about? Say it like "remind me at 5 to call mom".' };
    if (!it.schedule || it.schedule.kind === "unspecified") {
      const asked = it.question ?? askWhen(task);
      await this.o.users.saveState(user.id, {
        ...state,
        draft: { task, channel: it.channel, audience: it.audience, asked },
      });
      return { text: asked };
    }
    const when: When =
      it.schedule.kind === "once" ? { runAt: it.schedule.at } : { rrule: it.schedule.rrule, dtstart: it.schedule.next };
    const created = await this.o.tasks.create({
      userId: user.id,
      title: task,
      instruction: msg.text.trim(),
      when,
      timezone: user.timezone,
      channel: it.channel ?? msg.channel,
      audience: it.audience ?? null,
      sourceMessageId: messageId,
    });
    const { draft: _draft, ...rest } = state;
    await this.o.users.saveState(user.id, { ...rest, lastTaskId: created.id });
    return { text: confirmCreated(created, user.timezone, msg.receivedAt), taskId: created.id };
  }

  private async change(it: Interpretation, user: User, state: ConversationState, now: Date): Promise<Reply> {
    const tz = user.timezone;
    const matches = await this.resolve(it.ref ?? { kind: "last" }, user, state, it.intent);
    if (matches.length === 0)
      return { text: `I couldn't find that reminder. Say "list" to see them, then e.g. "${it.intent} 2".` };
    if (matches.length > 1 && it.ref?.kind !== "all") {
      await this.o.users.saveState(user.id, { ...state, lastList: matches.map((t) => t.id) });
      return {
        text: `${listTasks(matches, tz, now, "Which one do you mean")}`.replace(
          'Reply "cancel 2" to cancel one.',
          `Reply "${it.intent} 1" or "${it.intent} 2".`,
        ),
      };
    }
    const actor: Actor = { kind: "user", userId: user.id };
    const done: Task[] = [];
    for (const t of matches) {
      let change: TaskChange;
      switch (it.intent) {
        case "snooze":
          change = { action: "snooze", minutes: it.snoozeMinutes ?? 10 };
          break;
        case "reschedule": {
          const s = it.schedule;
          if (!s || s.kind === "unspecified")
            return { text: `When should "${t.title}" be instead? (e.g. "move it to 4pm")` };
          change = {
            action: "reschedule",
            when: s.kind === "once" ? { runAt: s.at } : { rrule: s.rrule, dtstart: s.next },
          };
          break;
        }
        default:
          change = { action: it.intent as "cancel" | "pause" | "resume" };
      }
      const out = await this.o.tasks.apply(t.id, change, actor);
      done.push(out.created ?? out.task);
    }
    await this.o.users.saveState(user.id, { ...state, lastTaskId: done[done.length - 1]!.id });
    const first = done[0]!;
    switch (it.intent) {
      case "cancel":
        return { text: done.length > 1 ? `✓ Cancelled ${done.length} reminders.` : `✓ Cancelled "${first.title}".` };
      case "pause":
        return {
          text:
            done.length > 1
              ? `✓ Paused ${done.length} reminders.`
              : `✓ Paused "${first.title}". Say "resume" to turn it back on.`,
        };
      case "resume":
        return { text: `✓ Resumed "${first.title}": ${describeSchedule(first, tz, now)}.` };
      default:
        return { text: `✓ "${first.title}" is now ${describeSchedule(first, tz, now)}.`, taskId: first.id };
    }
  }

  /** The tasks a reference points at, among the user's active ones. */
  private async resolve(ref: TaskRef, user: User, state: ConversationState, intent: string): Promise<Task[]> {
    const statuses =
      intent === "resume"
        ? ["paused"]
        : intent === "snooze"
          ? ["scheduled", "paused", "completed", "running"]
          : ["scheduled", "paused", "pending_approval", "running"];
    const active = (await this.o.tasks.listActive(user.id)).filter((t) => statuses.includes(t.status));
    switch (ref.kind) {
      case "all":
        return active;
      case "index": {
        const id = state.lastList?.[ref.n - 1];
        const t = id ? await this.o.tasks.get(id) : null;
        return t && statuses.includes(t.status) ? [t] : [];
      }
      case "time": {
        const want = instantToWall(ref.at, user.timezone);
        return active.filter((t) => {
          if (!t.nextRunAt) return false;
          const w = instantToWall(t.nextRunAt, user.timezone);
          return w.hour === want.hour && w.minute === want.minute;
        });
      }
      case "text": {
        const words = ref.words
          .toLowerCase()
          .split(/\s+/)
          .filter((w) => w.length > 2);
        return active.filter((t) => words.some((w) => t.title.toLowerCase().includes(w)));
      }
      case "recurring": {
        const rec = active.filter((t) => t.rrule);
        return ref.freq ? rec.filter((t) => t.rrule!.includes(`FREQ=${ref.freq!.toUpperCase()}`)) : rec;
      }
      case "last": {
        const lastFired = intent === "snooze" ? await this.o.tasks.lastFired(user.id) : null;
        const id = lastFired?.id ?? state.lastTaskId;
        const t = id ? await this.o.tasks.get(id) : null;
        if (t && statuses.includes(t.status)) return [t];
        return active.length === 1 ? active : [];
      }
    }
  }
}
