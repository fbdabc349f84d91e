import type { Db, Prisma, Task } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import { auditCreate, snapshot, type TaskSnapshot } from "./audit.js";
import { ACTIVE_STATUSES, judgeNewTask } from "./policy.js";
import { firstOccurrence, occurrenceAfter, type TaskTiming } from "./schedule.js";
import type { Timers } from "./timers.js";
import { type Actor, decide, type TaskAction, type TaskStatus } from "./transitions.js";

export type { Task };

export type When = { runAt: Date } | { rrule: string; dtstart: Date };

export interface NewTask {
  userId: string;
  title: string;
  instruction: string;
  when: When;
  timezone: string;
  /** A channel name from the channel registry (src/channels). */
  channel: string;
  audience?: string | null;
  sourceMessageId?: string | null;
  /** "reminder" (default) or "sitrep" (an operator's subscription; `params.window`). */
  kind?: string;
  params?: Record<string, unknown> | null;
}

/** A change to a task, as TaskService.apply takes it. */
export type TaskChange =
  | { action: "cancel" | "pause" | "resume" | "approve" | "skip" | "done" }
  | { action: "reject"; reason?: string }
  | { action: "reschedule"; when: When; title?: string; timezone?: string }
  | { action: "snooze"; minutes: number }
  | { action: "run_now" | "retry" }
  /** Undo: back to a snapshot the audit log kept (the status follows the rules: a hold is never released). */
  | { action: "restore"; to: TaskSnapshot };

/** How a change is written in the audit log, when it has a name of its own ("sitrep_subscribe"). */
export interface AuditAs {
  /** The entry's action. @defaultValue the change's action ("cancel"), or "create" */
  action?: string;
  /** Kept with the task's "after" snapshot. */
  details?: Record<string, unknown>;
}

/** What a change did: the task before and after, and the one-off copy it made (snoozing or running a repeat). */
export interface Applied {
  before: Task;
  task: Task;
  created?: Task;
}

export interface ServiceOptions {
  prisma: Db;
  timers: Pick<Timers, "set" | "remove">;
  horizonMs: number;
  maxActiveTasks: number;
  now?: () => Date;
}

const timingOf = (w: When, timezone: string): TaskTiming =>
  "runAt" in w
    ? { runAt: w.runAt, rrule: null, dtstart: null, timezone }
    : { runAt: null, rrule: w.rrule, dtstart: w.dtstart, timezone };

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/**
 * The task lifecycle as users and admins drive it, and the one writer of `tasks` outside the engine's own
 * runs: create, and every change through apply(), which asks the pure rules (transitions.ts) and writes the
 * change and its audit entry in one transaction. Postgres is updated first, then the timer is set; a timer
 * left over for an older occurrence finds nothing to do when it fires.
 */
export class TaskService {
  private readonly now: () => Date;

  constructor(private readonly o: ServiceOptions) {
    this.now = o.now ?? (() => new Date());
  }

  countActive(userId: string): Promise<number> {
    return this.o.prisma.task.count({ where: { userId, status: { in: [...ACTIVE_STATUSES] } } });
  }

  /**
   * Creates a user's task after checking limits and policy; returns it (status pending_approval when it
   * needs an admin). @throws HeraldError with the policy's reason when a limit is broken.
   */
  async create(input: NewTask, actor: Actor = { kind: "user", userId: input.userId }, audit?: AuditAs): Promise<Task> {
    const now = this.now();
    const timing = timingOf(input.when, input.timezone);
    const verdict = judgeNewTask({
      recurrence: timing.rrule ? { rrule: timing.rrule, tz: input.timezone, start: timing.dtstart! } : null,
      audience: input.audience ?? null,
      activeTasks: await this.countActive(input.userId),
      maxActiveTasks: this.o.maxActiveTasks,
      now,
    });
    if (!verdict.ok) throw new HeraldError(verdict.code, verdict.reason);
    return this.insert(input, timing, verdict.approval, actor, audit);
  }

  /**
   * Creates a task for an operator's action, without the approval policy: a run-now copy, a sitrep
   * subscription. Its status is scheduled.
   */
  createForOperator(input: NewTask, actor: Actor, audit?: AuditAs): Promise<Task> {
    return this.insert(input, timingOf(input.when, input.timezone), null, actor, audit);
  }

  private async insert(
    input: NewTask,
    timing: TaskTiming,
    approval: string | null,
    actor: Actor,
    audit: AuditAs = {},
  ): Promise<Task> {
    const next = firstOccurrence(timing, this.now());
    if (!next)
      throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence. Try a later end date.");
    const [task] = await this.o.prisma.$transaction(async (tx) => {
      const t = await tx.task.create({
        data: {
          userId: input.userId,
          title: input.title,
          instruction: input.instruction,
          runAt: timing.runAt,
          rrule: timing.rrule,
          dtstart: timing.dtstart,
          timezone: input.timezone,
          nextRunAt: next,
          status: approval ? "pending_approval" : "scheduled",
          approvalReason: approval,
          channel: input.channel,
          audience: input.audience ?? null,
          sourceMessageId: input.sourceMessageId ?? null,
          kind: input.kind ?? "reminder",
          params: (input.params ?? undefined) as Prisma.InputJsonObject | undefined,
        },
      });
      await auditCreate(tx, {
        actor,
        action: audit.action ?? "create",
        taskId: t.id,
        after: { ...snapshot(t), ...audit.details },
      });
      return [t];
    });
    return this.arm(task);
  }

  /** Active tasks of a user, soonest first: the numbered list "cancel 2" refers to. */
  listActive(userId: string, range?: { from: Date; to: Date }): Promise<Task[]> {
    return this.o.prisma.task.findMany({
      where: {
        userId,
        status: { in: [...ACTIVE_STATUSES] },
        ...(range ? { nextRunAt: { gte: range.from, lt: range.to } } : {}),
      },
      orderBy: [{ nextRunAt: "asc" }, { createdAt: "asc" }],
      take: 100,
    });
  }

  get(taskId: string): Promise<Task | null> {
    return this.o.prisma.task.findUnique({ where: { id: taskId } });
  }

  /** The user's task that fired most recently: what "done" and "snooze" after a reminder refer to. */
  lastFired(userId: string): Promise<Task | null> {
    return this.o.prisma.task.findFirst({
      where: { userId, lastRunAt: { not: null } },
      orderBy: { lastRunAt: "desc" },
    });
  }

  /** Open tasks of a kind addressed to an audience (a Slack channel's sitrep subscriptions). */
  async openOfKind(kind: string, audience: string): Promise<Task[]> {
    return this.o.prisma.task.findMany({
      where: { kind, audience, status: { in: [...ACTIVE_STATUSES] } },
      orderBy: { createdAt: "asc" },
    });
  }

  /**
   * Changes a task, if the rules allow `actor` to: the change and its audit entry are written together,
   * then the task's timer follows. @throws HeraldError herald_task_not_found, herald_task_state or
   * herald_task_forbidden with the rule's reason, or the policy's refusal of a new schedule.
   */
  async apply(taskId: string, change: TaskChange, actor: Actor, audit: AuditAs = {}): Promise<Applied> {
    const out = await this.o.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM tasks WHERE id = ${taskId}::uuid FOR UPDATE`;
      const before = await tx.task.findUnique({ where: { id: taskId } });
      if (!before) throw new HeraldError("herald_task_not_found", "I couldn't find that task any more.");
      const d = decide(
        {
          status: before.status as TaskStatus,
          userId: before.userId,
          recurring: Boolean(before.rrule),
          restoreTo: change.action === "restore" ? (change.to.status as TaskStatus) : undefined,
        },
        change.action,
        actor,
      );
      if (!d.ok) throw new HeraldError(d.code, d.reason);
      const { data, copy } = this.plan(before, change, d.status, actor);
      const task = await tx.task.update({
        where: { id: taskId },
        data: { ...data, status: data.status ?? d.status, version: { increment: 1 } },
      });
      await auditCreate(tx, {
        actor,
        action: audit.action ?? change.action,
        taskId,
        before: snapshot(before),
        after: {
          ...snapshot(task),
          ...(change.action === "reject" && change.reason ? { reason: change.reason } : {}),
          ...audit.details,
        },
      });
      return { before, task, copy };
    });
    if (out.before.timerAt && out.before.nextRunAt) {
      const moved = out.task.nextRunAt?.getTime() !== out.before.nextRunAt.getTime();
      if (out.task.status !== "scheduled" || moved) await this.o.timers.remove(taskId, out.before.nextRunAt);
    }
    const task = await this.arm(out.task);
    const created = out.copy ? await this.createForOperator(out.copy, actor) : undefined;
    return { before: out.before, task, created };
  }

  /** The row update a change makes (pure but for the clock), and the one-off copy it asks for. */
  private plan(
    t: Task,
    change: TaskChange,
    status: TaskStatus,
    actor: Actor,
  ): { data: Prisma.TaskUpdateInput & { status?: TaskStatus }; copy?: NewTask } {
    const now = this.now();
    const copyAt = (at: Date): NewTask => ({
      userId: t.userId,
      title: t.title,
      instruction: t.instruction,
      when: { runAt: at },
      timezone: t.timezone,
      channel: t.channel,
      audience: t.audience,
      kind: t.kind,
      params: t.params as Record<string, unknown> | null,
    });
    switch (change.action) {
      case "approve":
        return { data: { nextRunAt: firstOccurrence(t, now) ?? t.nextRunAt, approvalReason: null } };
      case "resume":
        return status === t.status ? { data: {} } : { data: { nextRunAt: firstOccurrence(t, now) ?? t.nextRunAt } };
      case "cancel":
      case "pause":
      case "reject":
      case "done":
        return { data: {} };
      case "skip": {
        const after = t.nextRunAt ? occurrenceAfter(t, t.nextRunAt, now) : null;
        return after ? { data: { nextRunAt: after } } : { data: { nextRunAt: null, status: "completed" } };
      }
      case "snooze": {
        const at = new Date(now.getTime() + change.minutes * 60_000);
        // A repeat keeps its next occurrence and gets a one-off copy, so snoozing today's does not move tomorrow's.
        if (t.rrule) return { data: {}, copy: copyAt(at) };
        return { data: { runAt: at, nextRunAt: at } };
      }
      case "run_now":
      case "retry":
        if (t.rrule) return { data: {}, copy: copyAt(now) };
        return { data: { runAt: now, nextRunAt: now } };
      case "reschedule": {
        const timezone = change.timezone ?? t.timezone;
        const timing = timingOf(change.when, timezone);
        const next = firstOccurrence(timing, now);
        if (!next) throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence.");
        const held = this.holdFor(t, timing, actor, status);
        return {
          data: {
            runAt: timing.runAt,
            rrule: timing.rrule,
            dtstart: timing.dtstart,
            timezone,
            nextRunAt: next,
            ...(change.title ? { title: change.title } : {}),
            ...(held ? { status: "pending_approval", approvalReason: held } : {}),
          },
        };
      }
      case "restore": {
        const s = change.to;
        const timing: TaskTiming = {
          runAt: date(s.runAt),
          rrule: s.rrule,
          dtstart: date(s.dtstart),
          timezone: s.timezone,
        };
        const next = timing.rrule ? firstOccurrence(timing, now) : timing.runAt;
        return {
          data: {
            title: s.title,
            runAt: timing.runAt,
            rrule: timing.rrule,
            dtstart: timing.dtstart,
            timezone: s.timezone,
            nextRunAt: next,
          },
        };
      }
    }
  }

  /**
   * A user's new schedule is judged like a new task: a hard limit refuses it, and one that needs approval
   * puts the task on hold (a user's change can add a hold, never lift one). Returns the hold's reason.
   */
  private holdFor(t: Task, timing: TaskTiming, actor: Actor, status: TaskStatus): string | null {
    if (actor.kind !== "user") return null;
    const verdict = judgeNewTask({
      recurrence: timing.rrule ? { rrule: timing.rrule, tz: timing.timezone, start: timing.dtstart! } : null,
      audience: t.audience,
      activeTasks: 0,
      maxActiveTasks: Number.POSITIVE_INFINITY,
      now: this.now(),
    });
    if (!verdict.ok) throw new HeraldError(verdict.code, verdict.reason);
    return verdict.approval && status !== "pending_approval" ? verdict.approval : null;
  }

  /** Sets the timer when the task is scheduled and due within the horizon (the scheduler does the rest later). */
  private async arm(task: Task): Promise<Task> {
    const now = this.now();
    if (task.status !== "scheduled" || !task.nextRunAt || task.nextRunAt.getTime() - now.getTime() > this.o.horizonMs)
      return task;
    await this.o.timers.set([{ taskId: task.id, occurrence: task.nextRunAt }], now);
    return this.o.prisma.task.update({ where: { id: task.id }, data: { timerAt: task.nextRunAt } });
  }
}

export type { TaskAction };
