import type { Db, Prisma, Task, Tx, Unit } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import { auditCreate, snapshot } from "./audit.js";
import { planChange, timingOf } from "./changes.js";
import type { NewTask, TaskChange, When } from "./types.js";

export type { NewTask, TaskChange, When };
import { ACTIVE_STATUSES, judgeNewTask } from "./policy.js";
import { firstOccurrence, type TaskTiming } from "./schedule.js";
import type { Timers } from "./timers.js";
import { type Actor, decide, type TaskAction, type TaskStatus } from "./transitions.js";

export type { Task };

/** How a change is written in the audit log, when it has a name of its own ("sitrep_subscribe"). */
/** The audit log's names for a user's acknowledgements, whichever entry point they come through. */
const AUDIT_NAMES: Partial<Record<TaskAction, string>> = { done: "acknowledged", skip: "skipped" };

export interface AuditAs {
  /** The entry's action. @defaultValue the change's action ("cancel"; "acknowledged" for done), or "create" */
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

  countActive(userId: string, tx: Tx = this.o.prisma): Promise<number> {
    return tx.task.count({ where: { userId, status: { in: [...ACTIVE_STATUSES] } } });
  }

  /**
   * Creates a user's task after checking limits and policy; returns it (status pending_approval when it
   * needs an admin). Given a `unit`, the task is written in its transaction and its timer set once that
   * commits. @throws HeraldError with the policy's reason when a limit is broken.
   */
  async create(
    input: NewTask,
    actor: Actor = { kind: "user", userId: input.userId },
    audit?: AuditAs,
    unit?: Unit,
  ): Promise<Task> {
    const now = this.now();
    const timing = timingOf(input.when, input.timezone);
    const verdict = judgeNewTask({
      recurrence: timing.rrule ? { rrule: timing.rrule, tz: input.timezone, start: timing.dtstart! } : null,
      audience: input.audience ?? null,
      activeTasks: await this.countActive(input.userId, unit?.tx),
      maxActiveTasks: this.o.maxActiveTasks,
      now,
    });
    if (!verdict.ok) throw new HeraldError(verdict.code, verdict.reason);
    return this.insert(input, timing, verdict.approval, actor, audit, unit);
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
    unit?: Unit,
  ): Promise<Task> {
    const next = this.firstOf(timing);
    const write = (tx: Tx) => this.insertRows(tx, input, timing, next, approval, actor, audit);
    if (!unit) return this.arm(await this.o.prisma.$transaction(write));
    const task = await write(unit.tx);
    unit.afterCommit(() => this.arm(task));
    return task;
  }

  /** @throws HeraldError herald_schedule_empty when the timing has no occurrence from now on. */
  private firstOf(timing: TaskTiming): Date {
    const next = firstOccurrence(timing, this.now());
    if (!next)
      throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence. Try a later end date.");
    return next;
  }

  /** The task's row and its audit entry. */
  private async insertRows(
    tx: Tx,
    input: NewTask,
    timing: TaskTiming,
    next: Date,
    approval: string | null,
    actor: Actor,
    audit: AuditAs,
  ): Promise<Task> {
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
    return t;
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
   * Changes a task, if the rules allow `actor` to: the change, its audit entry and the one-off copy it makes
   * are written together, then the task's timer follows. Given a `unit`, they are written in its transaction
   * and the timers follow once that commits. @throws HeraldError herald_task_not_found, herald_task_state
   * or herald_task_forbidden with the rule's reason, or the policy's refusal of a new schedule.
   */
  async apply(taskId: string, change: TaskChange, actor: Actor, audit: AuditAs = {}, unit?: Unit): Promise<Applied> {
    const write = (tx: Tx) => this.applyRows(tx, taskId, change, actor, audit);
    if (!unit) return this.settle(await this.o.prisma.$transaction(write));
    const out = await write(unit.tx);
    unit.afterCommit(() => this.settle(out));
    return out;
  }

  /** The timers a committed change calls for: the old occurrence's removed if it moved or stopped, the new ones set. */
  private async settle(out: Applied): Promise<Applied> {
    await this.retime(out);
    return { ...out, task: await this.arm(out.task), created: out.created && (await this.arm(out.created)) };
  }

  private async applyRows(tx: Tx, taskId: string, change: TaskChange, actor: Actor, audit: AuditAs): Promise<Applied> {
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
    const { data, copy } = planChange(before, change, d.status, actor, this.now());
    const task = await tx.task.update({
      where: { id: taskId },
      data: { ...data, status: data.status ?? d.status, version: { increment: 1 } },
    });
    await auditCreate(tx, {
      actor,
      action: audit.action ?? AUDIT_NAMES[change.action] ?? change.action,
      taskId,
      before: snapshot(before),
      after: {
        ...snapshot(task),
        ...(change.action === "reject" && change.reason ? { reason: change.reason } : {}),
        ...audit.details,
      },
    });
    if (!copy) return { before, task };
    const timing = timingOf(copy.when, copy.timezone);
    const created = await this.insertRows(tx, copy, timing, this.firstOf(timing), null, actor, {});
    return { before, task, created };
  }

  /** Removes the timer of the occurrence a change moved or stopped. */
  private async retime({ before, task }: Applied): Promise<void> {
    if (!before.timerAt || !before.nextRunAt) return;
    const moved = task.nextRunAt?.getTime() !== before.nextRunAt.getTime();
    if (task.status !== "scheduled" || moved) await this.o.timers.remove(task.id, before.nextRunAt);
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
