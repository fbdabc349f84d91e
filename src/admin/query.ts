import { z } from "zod";
import { HeraldError } from "../errors/index.js";
import { TASK_STATUSES } from "../ops/index.js";

/** Admin list filters and cursors: parsing and encoding, pure. */

export const ADMIN_ACTIONS = [
  "approve",
  "reject",
  "cancel",
  "retry",
  "run",
  "reschedule",
  "pause",
  "resume",
  "cutoff",
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export interface TaskFilters {
  status?: (typeof TASK_STATUSES)[number];
  /** A user id, or a user's Slack id, console name, email, phone or name. */
  user?: string;
  /** A channel name from the channel registry. */
  channel?: string;
  /** Case-insensitive substring of the title or instruction. */
  text?: string;
  dueFrom?: Date;
  dueTo?: Date;
  limit: number;
  cursor?: { createdAt: Date; id: string };
}

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const date = z
  .preprocess(blankToUndefined, z.coerce.date().optional())
  .refine((d) => d === undefined || !Number.isNaN(d.getTime()), {
    message: "must be a date such as 2026-11-25T09:00:00Z",
  });

const filterSchema = z.object({
  status: z.preprocess(blankToUndefined, z.enum(TASK_STATUSES).optional()),
  user: z.preprocess(blankToUndefined, z.string().max(200).optional()),
  channel: z.preprocess(blankToUndefined, z.string().max(40).optional()),
  text: z.preprocess(blankToUndefined, z.string().max(200).optional()),
  dueFrom: date,
  dueTo: date,
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(200).default(50)),
  cursor: z.preprocess(blankToUndefined, z.string().max(200).optional()),
});

/**
 * Parses list filters from query parameters (`status`, `user`, `channel`, `text`, `dueFrom`, `dueTo`,
 * `limit`, `cursor`); `channels`, when given, are the names a channel filter may take. @throws HeraldError herald_admin_bad_filter naming the parameter.
 */
export function parseFilters(params: Record<string, string | undefined>, channels?: readonly string[]): TaskFilters {
  return parseWith(filterSchema, params, channels);
}

/** Parses with a filter schema, checks the channel, decodes the cursor. */
function parseWith<T extends { channel?: string; cursor?: string }>(
  schema: z.ZodType<T>,
  params: Record<string, string | undefined>,
  channels?: readonly string[],
): Omit<T, "cursor"> & { cursor?: { createdAt: Date; id: string } } {
  const r = schema.safeParse(params);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new HeraldError("herald_admin_bad_filter", `${String(issue.path[0])}: ${issue.message}`);
  }
  const { cursor, ...rest } = r.data;
  if (rest.channel && channels && !channels.includes(rest.channel))
    throw new HeraldError("herald_admin_bad_filter", `channel: must be one of ${channels.join(", ")}`);
  return { ...rest, cursor: cursor ? decodeCursor(cursor) : undefined };
}

/** An opaque cursor for the page after the task (createdAt, id). */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString("base64url");
}

/** @throws HeraldError herald_admin_bad_cursor when the cursor was not made by encodeCursor. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error("bad");
    return { createdAt, id };
  } catch {
    throw new HeraldError(
      "herald_admin_bad_cursor",
      "cursor is not valid: pass the nextCursor of the previous page, or leave it out for the first page",
    );
  }
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export const RUN_STATUSES = ["running", "succeeded", "failed", "skipped"] as const;

/** Filters of the run history (executions across tasks). */
export interface RunFilters {
  status?: (typeof RUN_STATUSES)[number];
  /** The task's channel. */
  channel?: string;
  /** As in TaskFilters: an id, Slack id, console name, email, phone or name. */
  user?: string;
  taskId?: string;
  /** Started at or after / before. */
  from?: Date;
  to?: Date;
  /** Case-insensitive substring of the run's error. */
  error?: string;
  limit: number;
  cursor?: { createdAt: Date; id: string };
}

const runFilterSchema = z.object({
  status: z.preprocess(blankToUndefined, z.enum(RUN_STATUSES).optional()),
  channel: filterSchema.shape.channel,
  user: filterSchema.shape.user,
  taskId: z.preprocess(blankToUndefined, z.string().uuid({ message: "must be a task id" }).optional()),
  from: date,
  to: date,
  error: z.preprocess(blankToUndefined, z.string().max(200).optional()),
  limit: filterSchema.shape.limit,
  cursor: filterSchema.shape.cursor,
});

/** Parses run history filters from query parameters. @throws HeraldError herald_admin_bad_filter naming the parameter. */
export function parseRunFilters(params: Record<string, string | undefined>, channels?: readonly string[]): RunFilters {
  return parseWith(runFilterSchema, params, channels);
}

/**
 * A report's window: `from`/`to` (ISO times) or `window`, a length back from now such as 90m, 24h, 7d or
 * 30d. @throws HeraldError herald_admin_bad_filter.
 */
export function parseReportWindow(params: Record<string, string | undefined>, now: Date): { from: Date; to: Date } {
  const to = params.to ? new Date(params.to) : now;
  if (Number.isNaN(to.getTime())) throw new HeraldError("herald_admin_bad_filter", "to: must be an ISO time");
  if (params.from) {
    const from = new Date(params.from);
    if (Number.isNaN(from.getTime()) || from >= to)
      throw new HeraldError("herald_admin_bad_filter", "from: must be an ISO time before `to`");
    return { from, to };
  }
  const m = /^(\d{1,4})(m|h|d)$/.exec((params.window ?? "24h").trim());
  if (!m) throw new HeraldError("herald_admin_bad_filter", "window: must be a length such as 90m, 24h, 7d or 30d");
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
  return { from: new Date(to.getTime() - ms), to };
}
