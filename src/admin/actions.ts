import type { Db, Prisma, Task } from "../db/index.js";
import { HeraldError } from "../errors/index.js";
import { type Actor, type Applied, recordEvent, type TaskChange, type TaskService } from "../tasks/index.js";
import { type AdminAction, encodeCursor, isUuid, type TaskFilters } from "./query.js";

/**
 * Admin review, shared by the API, the page, the CLI and Slack's approval buttons: list, show, and act
 * on tasks. Reads are its own; every action goes through TaskService.apply, which asks the task rules and
 * records the change in audit_log (actor, action, before, after).
 */
export interface AdminDeps {
  /** For reads only: tasks, their runs, deliveries, messages and audit trail. */
  prisma: Db;
  tasks: Pick<TaskService, "get" | "apply">;
  /**
   * Tells a task's owner something on the task's channel (through the outbox): that an admin approved or
   * rejected their request. Absent where no outbox is wired (the owner is then not told).
   */
  tellOwner?: (task: Task, text: string) => Promise<void>;
  /** Re-send and channel pauses (absent where no delivery queue is wired). */
  outbox?: DeliveryControl;
}

export interface ResendRequest {
  ids?: string[];
  channel?: string;
  taskId?: string;
  since?: Date;
}

/** What the outbox offers an operator (built by the runtime over src/notify and the delivery queue). */
export interface DeliveryControl {
  /** Puts failed and undelivered deliveries matching `f` back to pending and queues them; returns how many. */
  resend(f: ResendRequest): Promise<number>;
  pause(channel: string, by: string, reason: string | null): Promise<void>;
  /** Returns how many held deliveries were released. */
  resume(channel: string): Promise<number>;
  paused(): Promise<{ channel: string; pausedBy: string; reason: string | null; pausedAt: Date }[]>;
}

/** Finds users by id or exact Slack id, console name, email, phone or name. */
async function userIds(d: Pick<AdminDeps, "prisma">, user: string): Promise<string[]> {
  if (isUuid(user)) return [user];
  const found = await d.prisma.user.findMany({
    where: { OR: [{ slackUserId: user }, { consoleName: user }, { email: user }, { phone: user }, { name: user }] },
    select: { id: true },
    take: 50,
  });
  return found.map((u) => u.id);
}

/** The tasks a filter matches (the list, and bulk actions), without its page. */
export async function taskWhere(
  d: Pick<AdminDeps, "prisma">,
  f: Omit<TaskFilters, "limit" | "cursor">,
): Promise<Prisma.TaskWhereInput> {
  const where: Prisma.TaskWhereInput = {};
  if (f.status) where.status = f.status;
  if (f.channel) where.channel = f.channel;
  if (f.user) where.userId = { in: await userIds(d, f.user) };
  if (f.text)
    where.OR = [
      { title: { contains: f.text, mode: "insensitive" } },
      { instruction: { contains: f.text, mode: "insensitive" } },
    ];
  if (f.dueFrom || f.dueTo)
    where.nextRunAt = { ...(f.dueFrom ? { gte: f.dueFrom } : {}), ...(f.dueTo ? { lt: f.dueTo } : {}) };
  return where;
}

/** A page of tasks, newest first, with their owners, and the cursor of the next page (null on the last). */
export async function listTasks(
  d: Pick<AdminDeps, "prisma">,
  f: TaskFilters,
): Promise<{ tasks: TaskWithOwner[]; nextCursor: string | null }> {
  const where = await taskWhere(d, f);
  if (f.cursor) {
    const c = f.cursor;
    where.AND = [{ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] }];
  }
  const rows = await d.prisma.task.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: f.limit + 1,
    include: { user: { select: OWNER_FIELDS } },
  });
  const tasks = rows.slice(0, f.limit);
  const last = tasks.at(-1);
  return { tasks, nextCursor: rows.length > f.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** The owner's fields the lists show. */
export const OWNER_FIELDS = {
  id: true,
  name: true,
  slackUserId: true,
  consoleName: true,
  email: true,
  phone: true,
} as const;

export type Owner = { id: string } & Partial<
  Record<"name" | "slackUserId" | "consoleName" | "email" | "phone", string | null>
>;
export type TaskWithOwner = Task & { user: Owner };

/** How an owner is shown: their name, else the first address they have. */
export const ownerLabel = (u: Owner) => u.name ?? u.slackUserId ?? u.consoleName ?? u.email ?? u.phone ?? u.id;

/** Tasks waiting for approval, oldest first (the top of the admin page). */
export function pendingApprovals(d: Pick<AdminDeps, "prisma">, limit = 50): Promise<TaskWithOwner[]> {
  return d.prisma.task.findMany({
    where: { status: "pending_approval" },
    orderBy: [{ nextRunAt: "asc" }],
    take: limit,
    include: { user: { select: OWNER_FIELDS } },
  });
}

/** One task with its owner, runs, deliveries, the messages that created it, and its audit trail. */
export async function getTaskDetail(d: Pick<AdminDeps, "prisma">, id: string) {
  if (!isUuid(id)) return null;
  const p = d.prisma;
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
  /** For cutoff: minutes after an occurrence past which failures are not retried (null: the default). */
  cutoffMinutes?: number | null;
  /** The bulk action this is part of (kept in the audit entry). */
  bulk?: string;
}

const CHANGE: Record<Exclude<AdminAction, "reschedule" | "reject" | "cutoff">, TaskChange> = {
  approve: { action: "approve" },
  cancel: { action: "cancel" },
  pause: { action: "pause" },
  resume: { action: "resume" },
  retry: { action: "retry" },
  run: { action: "run_now" },
};

const DONE: Record<AdminAction, string> = {
  approve: "Approved",
  reject: "Rejected",
  cancel: "Cancelled",
  pause: "Paused",
  resume: "Resumed",
  reschedule: "Rescheduled",
  retry: "Retrying",
  run: "Running",
  cutoff: "Set the cut-off of",
};

/** An rrule given without a start begins at the current minute, so it fires at second 0 of its times. */
const thisMinute = (now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000);

function changeOf(r: ActionRequest): TaskChange {
  if (r.action === "reject") return { action: "reject", reason: r.reason };
  if (r.action === "cutoff") {
    const m = r.cutoffMinutes;
    if (m !== null && m !== undefined && !(Number.isInteger(m) && m >= 1 && m <= 7 * 24 * 60))
      throw new HeraldError(
        "herald_admin_bad_request",
        "cutoff needs minutes, a whole number from 1 to 10080 (or none).",
      );
    return { action: "set_cutoff", usefulForMs: m ? m * 60_000 : null };
  }
  if (r.action !== "reschedule") return CHANGE[r.action];
  if (!r.runAt && !r.rrule)
    throw new HeraldError("herald_admin_bad_request", "reschedule needs runAt (an ISO time) or rrule (with dtstart).");
  return {
    action: "reschedule",
    when: r.rrule ? { rrule: r.rrule, dtstart: r.dtstart ?? thisMinute(new Date()) } : { runAt: r.runAt! },
  };
}

/**
 * Performs an admin action through the task rules; TaskService records it in audit_log. Returns the task
 * after the action (and the one-off copy, when a recurring task was run now) with a one-line message.
 * @throws HeraldError herald_task_not_found, herald_task_state (with what to do instead), herald_admin_bad_request.
 */
export async function performAction(
  d: AdminDeps,
  r: ActionRequest,
): Promise<{ task: Task; created?: Task; message: string }> {
  const before = isUuid(r.taskId) ? await d.tasks.get(r.taskId) : null;
  if (!before)
    throw new HeraldError(
      "herald_task_not_found",
      `No task ${r.taskId}. List tasks with \`herald tasks list\` or GET /admin/api/tasks.`,
    );
  if (r.action === "retry") {
    const last = await d.prisma.taskRun.findFirst({ where: { taskId: before.id }, orderBy: { occurrence: "desc" } });
    // The run did its work but its messages failed: send them again, without running it (or the LLM) again.
    const failedMessages = last
      ? await d.prisma.delivery.count({ where: { runId: last.id, status: { in: ["failed", "undelivered"] } } })
      : 0;
    if (failedMessages && d.outbox) {
      const resent = await d.outbox.resend({ taskId: before.id });
      await recordEvent(d.prisma, {
        actor: { kind: "admin", name: r.actor },
        action: "resend",
        taskId: before.id,
        after: { resent, run: last!.id },
      });
      return {
        task: before,
        message: `Re-sending ${resent} failed message${resent === 1 ? "" : "s"} of "${before.title}".`,
      };
    }
    if (last?.status !== "failed")
      throw new HeraldError(
        "herald_task_state",
        `Task ${before.id} has no failed run to retry (its last run ${last ? `${last.status}` : "does not exist"}). Use "run" to run it now.`,
      );
  }
  const actor: Actor = { kind: "admin", name: r.actor };
  let out: Applied;
  try {
    out = await d.tasks.apply(before.id, changeOf(r), actor, {
      ...(r.action === "run" ? { action: "run" } : {}),
      ...(r.bulk ? { details: { bulk: r.bulk } } : {}),
    });
  } catch (err) {
    // The rules speak of "it"; the operator reads which task.
    if (err instanceof HeraldError && err.code.startsWith("herald_task_"))
      throw new HeraldError(err.code, err.message.replace(/^It /, `Task ${before.id} `));
    throw err;
  }
  if ((r.action === "approve" || r.action === "reject") && d.tellOwner) {
    const text =
      r.action === "approve"
        ? `An admin approved "${before.title}"; it is scheduled.`
        : `An admin declined "${before.title}"${r.reason ? `: ${r.reason}` : ""}. It won't run.`;
    // The action is done; failing to tell the owner must not undo or hide it.
    await d.tellOwner(out.task, text).catch(() => {});
  }
  const verb = DONE[r.action];
  const message =
    r.action === "retry" || r.action === "run" ? `${verb} "${before.title}" now.` : `${verb} "${before.title}".`;
  return { task: out.task, created: out.created, message };
}

/**
 * A click on Approve or Reject in Slack (the button's value is the task id), acted on as the clicking
 * Slack user. Returns the text to replace the request with; a refusal (already handled, not found) is a
 * message, not an error.
 */
export async function approvalFromSlack(
  d: AdminDeps,
  a: { action: "approve" | "reject"; taskId: string; userId: string },
): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await performAction(d, { action: a.action, taskId: a.taskId, actor: `slack:${a.userId}` });
    return { ok: true, text: `${a.action === "approve" ? "✅" : "🚫"} ${out.message} (by <@${a.userId}>)` };
  } catch (err) {
    if (err instanceof HeraldError) return { ok: false, text: err.message };
    throw err;
  }
}
