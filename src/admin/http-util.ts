import type { IncomingMessage } from "node:http";
import { HeraldError } from "../errors/index.js";

/** Small helpers for the ops routes: query and body parsing, and error → status mapping. */

/** Query parameters of a request URL (first value of each). */
export function queryOf(req: Pick<IncomingMessage, "url">): Record<string, string> {
  const u = new URL(req.url ?? "/", "http://x");
  return Object.fromEntries(u.searchParams.entries());
}

/** Path segments after `prefix` ("/admin/api/tasks/ID/approve" with prefix "/admin/api/" → ["tasks", "ID", "approve"]). */
export function segmentsAfter(req: Pick<IncomingMessage, "url">, prefix: string): string[] {
  const path = (req.url ?? "/").split("?")[0]!;
  return path.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
}

/**
 * The body as a flat object: JSON, or an HTML form (application/x-www-form-urlencoded).
 * @throws HeraldError herald_admin_bad_request when JSON does not parse.
 */
export function bodyOf(
  req: Pick<IncomingMessage, "headers"> & { rawBody: Buffer },
): Record<string, string | undefined> {
  const text = req.rawBody.toString("utf8");
  if (!text.trim()) return {};
  if ((req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(text).entries());
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? undefined : String(x)]),
    );
  } catch {
    throw new HeraldError(
      "herald_admin_bad_request",
      "The body must be a JSON object (Content-Type: application/json) or a form.",
    );
  }
}

/** The HTTP status for an error thrown by admin logic. */
export function statusOf(err: unknown): number {
  if (!(err instanceof HeraldError)) return 500;
  if (err.code === "herald_task_not_found") return 404;
  if (err.code === "herald_task_state" || err.code === "herald_admin_bulk_changed") return 409;
  if (
    err.code.startsWith("herald_admin_bad") ||
    err.code === "herald_schedule_empty" ||
    err.code.startsWith("herald_limit")
  )
    return 400;
  return 400;
}

/** Parses an optional ISO date field. @throws HeraldError herald_admin_bad_request naming the field. */
export function optionalDate(v: string | undefined, field: string): Date | undefined {
  if (v === undefined || v === "") return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new HeraldError(
      "herald_admin_bad_request",
      `${field} must be an ISO time such as 2026-11-25T09:00:00Z (got "${v}").`,
    );
  return d;
}

/** Parses an optional whole number field. @throws HeraldError herald_admin_bad_request naming the field. */
export function optionalInt(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^\d{1,9}$/.test(v.trim()))
    throw new HeraldError("herald_admin_bad_request", `${field} must be a whole number (got "${v}").`);
  return Number(v);
}
