import { HeraldError } from "../errors/index.js";
import type { Prisma, Task } from "../generated/prisma/client.js";
import type { Runtime } from "../runtime/index.js";
import { encodeCursor, isUuid, snapshot, type AdminAction, type TaskFilters } from "./admin-query.js";

/**
 * Admin review, shared by the API, the page, the CLI and Slack's approval buttons: list, show, and act
 * on tasks. Every action goes through TaskService and is recorded in audit_log (actor, action, before, after).
 */
export type AdminRuntime = Pick<Runtime, "db" | "tasks" | "timers" | "config">;

/** Finds users by id or exact Slack id, console name, email, phone or name. */
async function userIds(rt: AdminRuntime, user: string): Promise<string[]> {
  if (isUuid(user)) return [user];
  const found = await rt.db.prisma.user.findMany({
    where: { OR: [{ slackUserId: user }, { consoleName: user }, { email: user }, { phone: user }, { name: user }] },
    select: { id: true },
    take: 50,
  });
  return found.map((u) => u.id);
}

/** A page of tasks, newest first, and the cursor of the next page (null on the last). */
export async function listTasks(
  rt: AdminRuntime,
  f: TaskFilters,
): Promise<{ tasks: Task[]; nextCursor: string | null }> {
  const where: Prisma.TaskWhereInput = {};
  if (f.status) where.status = f.status;
  if (f.channel) where.channel = f.channel;
  if (f.user) where.userId = { in: await userIds(rt, f.user) };
  if (f.text)
    where.OR = [
      { title: { contains: f.text, mode: "insensitive" } },
      { instruction: { contains: f.text, mode: "insensitive" } },
    ];
  if (f.dueFrom || f.dueTo)
    where.nextRunAt = { ...(f.dueFrom ? { gte: f.dueFrom } : {}), ...(f.dueTo ? { lt: f.dueTo } : {}) };
  if (f.cursor) {
    const c = f.cursor;
    where.AND = [{ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] }];
  }
  const rows = await rt.db.prisma.task.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: f.limit + 1,
  });
  const tasks = rows.slice(0, f.limit);
  const last = tasks.at(-1);
  return { tasks, nextCursor: rows.length > f.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** Tasks waiting for approval, oldest first (the top of the admin page). */
export function pendingApprovals(rt: AdminRuntime, limit = 50): Promise<Task[]> {
  return rt.db.prisma.task.findMany({
    where: { status: "pending_approval" },
    orderBy: [{ nextRunAt: "asc" }],
    take: limit,
  });
}

/** One task with its owner, runs, deliveries, the messages that created it, and its audit trail. */
export async function getTaskDetail(rt: AdminRuntime, id: string) {
  if (!isUuid(id)) return null;
  const p = rt.db.prisma;
  const task = await p.task.findUnique({ where: { id }, include: { user: true, sourceMessage: true } });
  if (!task) return null;
  // The source message, and what the owner said just before it (a request completed over several messages).
  const until = task.sourceMessage?.createdAt ?? task.createdAt;
  const [runs, deliveries, messages, audit] = await Promise.all([
    p.taskRun.findMany({ where: { taskId: id }, orderBy: { occurrence: "desc" }, take: 50 }),
    p.delivery.findMany({ where: { taskId: id }, orderBy: { createdAt: "desc" }, take: 50 }),
    p.message.findMany({
      where: {
        userId: task.userId,
        direction: "in",
        createdAt: { gte: new Date(until.getTime() - 10 * 60_000), lte: until },
      },
      orderBy: { createdAt: "desc" },
      take: 5,
    }),
    p.auditLog.findMany({ where: { taskId: id }, orderBy: { at: "desc" }, take: 50 }),
  ]);
  return { task, runs, deliveries, messages: messages.reverse(), audit };
}

export type TaskDetail = NonNullable<Awaited<ReturnType<typeof getTaskDetail>>>;

export interface ActionRequest {
  action: AdminAction;
  taskId: string;
  /** Who acts: "admin", "cli:alice", "slack:U123". */
  actor: string;
  /** For reschedule: a new one-off time, or a recurrence. */
  runAt?: Date;
  rrule?: string;
  dtstart?: Date;
  /** For reject: why (kept in the audit log). */
  reason?: string;
}

/**
 * Inserts a scheduled task directly (operator actions that bypass the approval policy: run-now copies,
 * sitrep subscriptions) and sets its timer when it is due within the horizon.
 */
export async function insertScheduledTask(
  rt: AdminRuntime,
  data: Prisma.TaskUncheckedCreateInput & { nextRunAt: Date },
  now = new Date(),
): Promise<Task> {
  const task = await rt.db.prisma.task.create({ data: { ...data, status: "scheduled" } });
  if (task.nextRunAt!.getTime() - now.getTime() > rt.config.SCHEDULER_HORIZON_MS) return task;
  await rt.timers.set([{ taskId: task.id, occurrence: task.nextRunAt! }], now);
  return rt.db.prisma.task.update({ where: { id: task.id }, data: { timerAt: task.nextRunAt } });
}

const refuse = (t: Task, what: string, hint: string) =>
  new HeraldError(
    "herald_task_state",
    `Task ${t.id} is ${t.status.replace("_", " ")}, so it can't be ${what}. ${hint}`.trim(),
  );

/** Runs a task now: a one-off moves to now; a recurring task keeps its schedule and gets a one-off copy due now. */
async function runNow(rt: AdminRuntime, t: Task): Promise<{ task: Task; created?: Task }> {
  if (t.status === "pending_approval") throw refuse(t, "run", "Approve it first.");
  if (t.status === "paused") throw refuse(t, "run", "Resume it first.");
  if (t.status === "cancelled" || t.status === "running") throw refuse(t, "run", "");
  if (!t.rrule) return { task: await rt.tasks.snooze(t.id, 0) };
  const created = await insertScheduledTask(rt, {
    userId: t.userId,
    title: t.title,
    instruction: t.instruction,
    runAt: new Date(),
    timezone: t.timezone,
    nextRunAt: new Date(),
    channel: t.channel,
    audience: t.audience,
  });
  return { task: t, created };
}

async function apply(
  rt: AdminRuntime,
  t: Task,
  r: ActionRequest,
): Promise<{ task: Task; created?: Task; message: string }> {
  switch (r.action) {
    case "approve":
      if (t.status !== "pending_approval") throw refuse(t, "approved", "Only tasks waiting for approval can be.");
      return { task: await rt.tasks.resume(t.id), message: `Approved "${t.title}".` };
    case "reject":
      if (t.status !== "pending_approval")
        throw refuse(t, "rejected", "Only tasks waiting for approval can be; cancel it instead.");
      return { task: await rt.tasks.cancel(t.id), message: `Rejected "${t.title}".` };
    case "cancel":
      return { task: await rt.tasks.cancel(t.id), message: `Cancelled "${t.title}".` };
    case "pause":
      return { task: await rt.tasks.pause(t.id), message: `Paused "${t.title}".` };
    case "resume":
      if (t.status !== "paused")
        throw refuse(t, "resumed", t.status === "pending_approval" ? "Approve it instead." : "");
      return { task: await rt.tasks.resume(t.id), message: `Resumed "${t.title}".` };
    case "reschedule": {
      if (!r.runAt && !r.rrule)
        throw new HeraldError(
          "herald_admin_bad_request",
          "reschedule needs runAt (an ISO time) or rrule (with dtstart).",
        );
      const when = r.rrule ? { rrule: r.rrule, dtstart: r.dtstart ?? new Date() } : { runAt: r.runAt! };
      return { task: await rt.tasks.reschedule(t.id, when), message: `Rescheduled "${t.title}".` };
    }
    case "retry": {
      const last = await rt.db.prisma.taskRun.findFirst({ where: { taskId: t.id }, orderBy: { occurrence: "desc" } });
      if (last?.status !== "failed")
        throw new HeraldError(
          "herald_task_state",
          `Task ${t.id} has no failed run to retry (its last run ${last ? `${last.status}` : "does not exist"}). Use "run" to run it now.`,
        );
      const out = await runNow(rt, t);
      return { ...out, message: `Retrying "${t.title}" now.` };
    }
    case "run":
      return { ...(await runNow(rt, t)), message: `Running "${t.title}" now.` };
  }
}

/**
 * Performs an admin action and records it in audit_log. Returns the task after the action (and the
 * one-off copy, when a recurring task was run now) with a one-line message for the operator.
 * @throws HeraldError herald_task_not_found, herald_task_state (with what to do instead), herald_admin_bad_request.
 */
export async function performAction(
  rt: AdminRuntime,
  r: ActionRequest,
): Promise<{ task: Task; created?: Task; message: string }> {
  const before = isUuid(r.taskId) ? await rt.tasks.get(r.taskId) : null;
  if (!before)
    throw new HeraldError(
      "herald_task_not_found",
      `No task ${r.taskId}. List tasks with \`herald tasks list\` or GET /admin/api/tasks.`,
    );
  const out = await apply(rt, before, r);
  const after = out.created ? { ...snapshot(out.task), runNowCopy: out.created.id } : snapshot(out.task);
  await rt.db.prisma.auditLog.create({
    data: {
      actor: r.actor,
      action: r.action,
      taskId: before.id,
      before: (snapshot(before) ?? undefined) as Prisma.InputJsonObject | undefined,
      after: { ...after, ...(r.reason ? { reason: r.reason } : {}) } as Prisma.InputJsonObject,
    },
  });
  return out;
}

/** Records an ops event about a task that is not an action (an approval request posted to Slack, a subscription). */
export async function audit(
  rt: Pick<Runtime, "db">,
  actor: string,
  action: string,
  taskId: string | null,
  after: Record<string, unknown> | null,
): Promise<void> {
  await rt.db.prisma.auditLog.create({
    data: { actor, action, taskId, after: (after ?? undefined) as Prisma.InputJsonObject | undefined },
  });
}
