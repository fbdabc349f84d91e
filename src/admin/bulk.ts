import { randomUUID } from "node:crypto";
import { HeraldError } from "../errors/index.js";
import { recordEvent } from "../tasks/index.js";
import { type AdminDeps, performAction, taskWhere } from "./actions.js";
import type { TaskFilters } from "./query.js";

/**
 * Actions on every task a filter matches (cancel, retry, pause, resume), shown as a count before they run:
 * the caller previews, then confirms with the count it was shown, and the action runs only if the filter
 * still matches that many. Each task goes through the same rules and audit entry as a single action
 * (TaskService.apply), marked with the bulk's id; one more entry records the bulk itself.
 */
export const BULK_ACTIONS = ["cancel", "retry", "pause", "resume"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The most tasks one bulk action touches. */
export const BULK_MAX = 5000;

export type BulkFilters = Omit<TaskFilters, "limit" | "cursor">;

export interface BulkPreview {
  action: BulkAction;
  count: number;
  /** A few of the matching tasks, newest first. */
  sample: { id: string; title: string; status: string }[];
}

export async function previewBulk(
  d: Pick<AdminDeps, "prisma">,
  action: BulkAction,
  f: BulkFilters,
): Promise<BulkPreview> {
  const where = await taskWhere(d, f);
  const [count, sample] = await Promise.all([
    d.prisma.task.count({ where }),
    d.prisma.task.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 10,
      select: { id: true, title: true, status: true },
    }),
  ]);
  return { action, count, sample };
}

export interface BulkResult {
  id: string;
  action: BulkAction;
  matched: number;
  done: number;
  /** Tasks the rules refused (already cancelled, nothing to retry), with why; at most 50 listed. */
  refused: { id: string; reason: string }[];
  refusedCount: number;
}

/**
 * Runs `action` on every task matching `f`, if it still matches `confirm` tasks (the count the operator
 * was shown). @throws HeraldError herald_admin_bulk_changed when it no longer does, herald_admin_bad_request
 * past BULK_MAX or without a filter.
 */
export async function applyBulk(
  d: AdminDeps,
  r: { action: BulkAction; filters: BulkFilters; confirm: number; actor: string },
): Promise<BulkResult> {
  const f = r.filters;
  if (!f.status && !f.user && !f.channel && !f.text && !f.dueFrom && !f.dueTo)
    throw new HeraldError(
      "herald_admin_bad_request",
      "A bulk action needs at least one filter (status, user, channel, text, due).",
    );
  const where = await taskWhere(d, f);
  const ids = (
    await d.prisma.task.findMany({ where, select: { id: true }, orderBy: { id: "asc" }, take: BULK_MAX + 1 })
  ).map((t) => t.id);
  if (ids.length > BULK_MAX)
    throw new HeraldError("herald_admin_bad_request", `That filter matches more than ${BULK_MAX} tasks; narrow it.`);
  if (ids.length !== r.confirm)
    throw new HeraldError(
      "herald_admin_bulk_changed",
      `The filter now matches ${ids.length} tasks, not the ${r.confirm} you confirmed: preview again.`,
    );
  const bulkId = randomUUID();
  const out: BulkResult = { id: bulkId, action: r.action, matched: ids.length, done: 0, refused: [], refusedCount: 0 };
  for (const taskId of ids) {
    try {
      await performAction(d, { action: r.action, taskId, actor: r.actor, bulk: bulkId });
      out.done++;
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      out.refusedCount++;
      if (out.refused.length < 50) out.refused.push({ id: taskId, reason: err.message });
    }
  }
  await recordEvent(d.prisma, {
    actor: { kind: "admin", name: r.actor },
    action: `bulk_${r.action}`,
    taskId: null,
    after: {
      bulk: bulkId,
      filters: JSON.parse(JSON.stringify(f)) as Record<string, unknown>,
      matched: out.matched,
      done: out.done,
      refused: out.refusedCount,
    },
  });
  return out;
}
