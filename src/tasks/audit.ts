import type { Db, Prisma } from "../db/index.js";
import { type Actor, actorLabel } from "./transitions.js";

/**
 * The audit log's one writer: who did what to which task, with the task before and after. TaskService
 * writes an entry in the same transaction as each change it makes; other events about a task (an approval
 * request posted, a subscription made) go through recordEvent.
 */

/** The fields of a task an audit entry keeps (and undo restores). */
export type TaskSnapshot = {
  status: string;
  title: string;
  runAt: string | null;
  rrule: string | null;
  dtstart: string | null;
  timezone: string;
  nextRunAt: string | null;
  version: number;
};

export function snapshot(t: {
  status: string;
  title: string;
  runAt: Date | null;
  rrule: string | null;
  dtstart: Date | null;
  timezone: string;
  nextRunAt: Date | null;
  version: number;
}): TaskSnapshot {
  return {
    status: t.status,
    title: t.title,
    runAt: t.runAt?.toISOString() ?? null,
    rrule: t.rrule,
    dtstart: t.dtstart?.toISOString() ?? null,
    timezone: t.timezone,
    nextRunAt: t.nextRunAt?.toISOString() ?? null,
    version: t.version,
  };
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  taskId: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** The Prisma create of one entry (for a transaction of the caller's). */
export function auditCreate(db: Pick<Db, "auditLog">, e: AuditEntry) {
  return db.auditLog.create({
    data: {
      actor: actorLabel(e.actor),
      action: e.action,
      taskId: e.taskId,
      before: (e.before ?? undefined) as Prisma.InputJsonObject | undefined,
      after: (e.after ?? undefined) as Prisma.InputJsonObject | undefined,
    },
  });
}

/** Records an event about a task that is not a change to it (an approval request posted, a subscription). */
export async function recordEvent(db: Db, e: AuditEntry): Promise<void> {
  await auditCreate(db, e);
}
