import { randomUUID } from "node:crypto";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Action, DialogueState, Outcome, Reach, TaskView } from "../../src/bot/dialogue/index.js";
import { decideTurn } from "../../src/bot/dialogue/index.js";
import type { Task } from "../../src/db/index.js";
import {
  ACTIVE_STATUSES,
  type Actor,
  decide,
  firstOccurrence,
  judgeNewTask,
  occurrenceAfter,
  planChange,
  type TaskStatus,
  timingOf,
} from "../../src/tasks/index.js";

/**
 * Conversations run as unit tests: the offline grammar, the pure dialogue (decideTurn), and the task rules
 * and change arithmetic of src/tasks, with the user's tasks held in memory instead of Postgres. What the
 * spec reads is what a user on any channel would read.
 */
export class MemoryHerald {
  readonly tasks: Task[] = [];
  state: DialogueState = {};
  timezone: string;
  now: Date;
  readonly userId = randomUUID();
  readonly channel: string;
  private readonly reachable: Record<string, Reach>;
  private readonly maxActive: number;

  constructor(o: {
    tz: string;
    now: Date;
    channel?: string;
    reachable?: Record<string, Reach>;
    zoneConfirmed?: boolean;
    maxActive?: number;
  }) {
    this.timezone = o.tz;
    this.now = o.now;
    this.channel = o.channel ?? "console";
    this.reachable = o.reachable ?? {};
    this.maxActive = o.maxActive ?? 25;
    if (o.zoneConfirmed !== false) this.state.zoneConfirmed = true;
  }

  /** Moves the clock on. */
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  /** One message in, the reply out. */
  say(text: string): string {
    const it = interpretOffline(text, { now: this.now, tz: this.timezone });
    const active = this.tasks
      .filter((t) => (ACTIVE_STATUSES as readonly string[]).includes(t.status))
      .sort((a, b) => (a.nextRunAt?.getTime() ?? 0) - (b.nextRunAt?.getTime() ?? 0));
    const fired = [...this.tasks]
      .filter((t) => t.lastRunAt)
      .sort((a, b) => b.lastRunAt!.getTime() - a.lastRunAt!.getTime())[0];
    const turn = decideTurn({
      text,
      it,
      now: this.now,
      user: { id: this.userId, timezone: this.timezone },
      channel: this.channel,
      tasks: active.map(view),
      lastFired: fired ? view(fired) : null,
      state: this.state,
      reach: (c) => this.reachable[c] ?? { ok: true, how: c === "sms" ? "by text message" : `on ${c}` },
    });
    const outcomes = turn.actions.map((a) => this.carryOut(a));
    const out = turn.finish(outcomes);
    this.state = JSON.parse(JSON.stringify(out.state));
    return out.reply;
  }

  /** A task fires, as the engine would run it: a one-off completes, a repeat moves to its next occurrence. */
  fire(task: Task): void {
    const occurrence = task.nextRunAt!;
    task.lastRunAt = this.now;
    task.runCount++;
    const next = occurrenceAfter(task, occurrence, this.now);
    task.nextRunAt = next;
    task.status = next ? "scheduled" : "completed";
  }

  byTitle(title: string): Task {
    const t = this.tasks.find((x) => x.title === title);
    if (!t) throw new Error(`no task "${title}" (have: ${this.tasks.map((x) => x.title).join(", ")})`);
    return t;
  }

  private carryOut(a: Action): Outcome {
    const actor: Actor = { kind: "user", userId: this.userId };
    try {
      switch (a.kind) {
        case "create":
          return { ok: true, task: view(this.create({ ...a.spec, userId: this.userId })) };
        case "setTimezone":
          this.timezone = a.timezone;
          return { ok: true, task: { ...view(blank(this.userId)), timezone: a.timezone } };
        case "apply": {
          const t = this.tasks.find((x) => x.id === a.taskId);
          if (!t) return { ok: false, code: "herald_task_not_found", reason: "I couldn't find that task any more." };
          const before = view(t);
          const d = decide(
            {
              status: t.status as TaskStatus,
              userId: t.userId,
              recurring: Boolean(t.rrule),
              restoreTo: a.change.action === "restore" ? (a.change.to.status as TaskStatus) : undefined,
            },
            a.change.action,
            actor,
          );
          if (!d.ok) return { ok: false, code: d.code, reason: d.reason };
          const { data, copy } = planChange(t, a.change, d.status, actor, this.now);
          Object.assign(t, data, { status: data.status ?? d.status, version: t.version + 1 });
          const created = copy ? view(this.create({ ...copy, userId: this.userId })) : undefined;
          return { ok: true, task: view(t), before, created };
        }
      }
    } catch (err) {
      const e = err as { code?: string; message: string };
      return { ok: false, code: e.code ?? "error", reason: e.message };
    }
  }

  private create(spec: {
    userId: string;
    title: string;
    instruction: string;
    when: { runAt: Date } | { rrule: string; dtstart: Date };
    timezone: string;
    channel: string;
    audience?: string | null;
  }): Task {
    const timing = timingOf(spec.when, spec.timezone);
    const verdict = judgeNewTask({
      recurrence: timing.rrule ? { rrule: timing.rrule, tz: spec.timezone, start: timing.dtstart! } : null,
      audience: spec.audience ?? null,
      activeTasks: this.tasks.filter((t) => (ACTIVE_STATUSES as readonly string[]).includes(t.status)).length,
      maxActiveTasks: this.maxActive,
      now: this.now,
    });
    if (!verdict.ok) throw Object.assign(new Error(verdict.reason), { code: verdict.code });
    const next = firstOccurrence(timing, this.now);
    if (!next)
      throw Object.assign(new Error("That schedule has no future occurrence."), { code: "herald_schedule_empty" });
    const t: Task = {
      ...blank(spec.userId),
      title: spec.title,
      instruction: spec.instruction,
      runAt: timing.runAt,
      rrule: timing.rrule,
      dtstart: timing.dtstart,
      timezone: spec.timezone,
      nextRunAt: next,
      status: verdict.approval ? "pending_approval" : "scheduled",
      approvalReason: verdict.approval,
      channel: spec.channel,
      audience: spec.audience ?? null,
    };
    this.tasks.push(t);
    return t;
  }
}

function blank(userId: string): Task {
  return {
    id: randomUUID(),
    userId,
    title: "",
    instruction: "",
    runAt: null,
    rrule: null,
    dtstart: null,
    timezone: "UTC",
    nextRunAt: null,
    status: "scheduled",
    channel: "console",
    kind: "reminder",
    params: null,
    audience: null,
    approvalReason: null,
    sourceMessageId: null,
    version: 1,
    timerAt: null,
    lastRunAt: null,
    runCount: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  } as Task;
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
