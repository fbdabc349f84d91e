import { z } from "zod";
import { HeraldError } from "../errors/index.js";
import { TASK_STATUSES } from "../ops/index.js";

/** Admin list filters and cursors: parsing and encoding, pure. */

export const ADMIN_ACTIONS = ["approve", "reject", "cancel", "retry", "run", "reschedule", "pause", "resume"] as const;
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
  const r = filterSchema.safeParse(params);
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
