import type { Db } from "../db/index.js";
import type { Task } from "../generated/prisma/client.js";
import { HeraldError } from "../errors/index.js";
import { ACTIVE_STATUSES, canTransition, judgeNewTask } from "./policy.js";
import { firstOccurrence, type TaskTiming } from "./schedule.js";
import type { Timers } from "./timers.js";

export type { Task };

export type When = { runAt: Date } | { rrule: string; dtstart: Date };

export interface NewTask {
  userId: string;
  title: string;
  instruction: string;
  when: When;
  timezone: string;
  channel: "console" | "sms" | "email" | "slack";
  audience?: string | null;
  sourceMessageId?: string | null;
}

export interface ServiceOptions {
  prisma: Db;
  timers: Timers;
  horizonMs: number;
  maxActiveTasks: number;
  now?: () => Date;
}

const timingOf = (w: When, timezone: string): TaskTiming =>
  "runAt" in w
    ? { runAt: w.runAt, rrule: null, dtstart: null, timezone }
    : { runAt: null, rrule: w.rrule, dtstart: w.dtstart, timezone };

/**
 * The task lifecycle as users and admins drive it: create, cancel, pause, resume, reschedule, snooze.
 * Every change takes effect at once: Postgres is updated first, then the timer is set; a timer left over
 * for an older occurrence finds nothing to do when it fires.
 */
export class TaskService {
  private readonly now: () => Date;

  constructor(private readonly o: ServiceOptions) {
    this.now = o.now ?? (() => new Date());
  }

  countActive(userId: string): Promise<number> {
    return this.o.prisma.task.count({ where: { userId, status: { in: [...ACTIVE_STATUSES] } } });
  }

  /** Creates a task after checking limits and policy; returns it (status pending_approval when it needs an admin). */
  async create(input: NewTask): Promise<Task> {
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
    const next = firstOccurrence(timing, now);
    if (!next)
      throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence. Try a later end date.");
    const task = await this.o.prisma.task.create({
      data: {
        userId: input.userId,
        title: input.title,
        instruction: input.instruction,
        runAt: timing.runAt,
        rrule: timing.rrule,
        dtstart: timing.dtstart,
        timezone: input.timezone,
        nextRunAt: next,
        status: verdict.approval ? "pending_approval" : "scheduled",
        approvalReason: verdict.approval,
        channel: input.channel,
        audience: input.audience ?? null,
        sourceMessageId: input.sourceMessageId ?? null,
      },
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

  cancel(taskId: string): Promise<Task> {
    return this.transition(taskId, "cancelled", {});
  }

  pause(taskId: string): Promise<Task> {
    return this.transition(taskId, "paused", {});
  }

  /** Resumes a paused task (or approves a pending one) from its next occurrence after now. */
  async resume(taskId: string): Promise<Task> {
    const task = await this.require(taskId);
    const next = firstOccurrence(task, this.now());
    return this.transition(taskId, "scheduled", { nextRunAt: next ?? task.nextRunAt });
  }

  /** Moves a task to a new time or recurrence. */
  async reschedule(taskId: string, when: When): Promise<Task> {
    const task = await this.require(taskId);
    const timing = timingOf(when, task.timezone);
    const next = firstOccurrence(timing, this.now());
    if (!next) throw new HeraldError("herald_schedule_empty", "That schedule has no future occurrence.");
    const status = task.status === "paused" || task.status === "pending_approval" ? task.status : "scheduled";
    return this.transition(taskId, status, {
      runAt: timing.runAt,
      rrule: timing.rrule,
      dtstart: timing.dtstart,
      nextRunAt: next,
    });
  }

  /**
   * Snoozes: a one-off moves to now + minutes; a recurring task keeps its next occurrence and gets a one-off
   * copy at now + minutes, so snoozing today's reminder does not move tomorrow's.
   */
  async snooze(taskId: string, minutes: number): Promise<Task> {
    const task = await this.require(taskId);
    const at = new Date(this.now().getTime() + minutes * 60_000);
    if (!task.rrule) {
      const status = ["completed", "failed", "running"].includes(task.status) ? "scheduled" : task.status;
      return this.transition(taskId, status, { runAt: at, nextRunAt: at }, true);
    }
    return this.create({
      userId: task.userId,
      title: task.title,
      instruction: task.instruction,
      when: { runAt: at },
      timezone: task.timezone,
      channel: task.channel,
      audience: task.audience,
    });
  }

  private async require(taskId: string): Promise<Task> {
    const task = await this.get(taskId);
    if (!task) throw new HeraldError("herald_task_not_found", `No task ${taskId}.`);
    return task;
  }

  private async transition(taskId: string, to: Task["status"], data: Partial<Task>, force = false): Promise<Task> {
    const task = await this.require(taskId);
    if (!force && task.status !== to && !canTransition(task.status, to)) {
      throw new HeraldError(
        "herald_task_state",
        `That reminder is ${task.status.replace("_", " ")}, so it can't be ${to === "scheduled" ? "resumed" : to}.`,
      );
    }
    const updated = await this.o.prisma.task.update({
      where: { id: taskId },
      data: { ...data, status: to, version: { increment: 1 }, ...(to === "scheduled" ? { approvalReason: null } : {}) },
    });
    if (
      task.nextRunAt &&
      task.timerAt &&
      (to !== "scheduled" || updated.nextRunAt?.getTime() !== task.nextRunAt.getTime())
    ) {
      await this.o.timers.remove(task.id, task.nextRunAt);
    }
    return this.arm(updated);
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
