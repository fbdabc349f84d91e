import type { IncomingMessage, ServerResponse } from "node:http";
import { HeraldError } from "../errors/index.js";
import { type Handler, type HttpServer, send } from "../http/index.js";
import { loadSitrep, parseWindow, sitrepText } from "../ops/index.js";
import { getTaskDetail, listTasks, performAction } from "./actions.js";
import { ADMIN_OFF_MESSAGE, authenticate } from "./auth.js";
import { applyBulk, BULK_ACTIONS, type BulkAction, previewBulk } from "./bulk.js";
import type { AdminHttpDeps } from "./deps.js";
import { failedDeliveries } from "./dashboard.js";
import { resendFailed, setChannelPaused } from "./deliveries.js";
import { historyReport, historyReportText, listRuns } from "./history.js";
import { bodyOf, optionalDate, optionalInt, queryOf, segmentsAfter, statusOf } from "./http-util.js";
import { ADMIN_ACTIONS, type AdminAction, parseFilters, parseReportWindow, parseRunFilters } from "./query.js";

/**
 * The admin API under /admin/api, behind ADMIN_TOKEN as a bearer token (or the admin page's cookie):
 *   GET  /admin/api/sitrep?window=24h[&format=text]
 *   GET  /admin/api/tasks?status=&user=&channel=&text=&dueFrom=&dueTo=&limit=&cursor=
 *   GET  /admin/api/tasks/:id
 *   POST /admin/api/tasks/:id/(approve|reject|cancel|retry|run|reschedule|pause|resume|cutoff)
 *        body (JSON or form): reason? (reject), runAt? | rrule? + dtstart? (reschedule), minutes? (cutoff)
 *   GET  /admin/api/runs?status=&channel=&user=&taskId=&from=&to=&error=&limit=&cursor=
 *   GET  /admin/api/report?window=24h | from=&to= [&format=text]
 *   GET  /admin/api/bulk/(cancel|retry|pause|resume)?<task filters>      → { count, sample }
 *   POST /admin/api/bulk/(cancel|retry|pause|resume)  body: <task filters>, confirm (the count shown)
 *   GET  /admin/api/deliveries/failed                                   → failed and undelivered, newest first
 *   POST /admin/api/deliveries/resend  body: ids? (comma-separated), channel?, taskId?, since?
 *   GET  /admin/api/channels                                            → paused channels
 *   POST /admin/api/channels/:name/(pause|resume)  body: reason?
 * The actor of every action is who authenticated (see authenticate), never a name in the request.
 */
const PREFIX = "/admin/api/";

type AuthedHandler = (
  req: IncomingMessage & { rawBody: Buffer },
  res: ServerResponse,
  actor: string,
) => Promise<void> | void;

/**
 * Wraps a handler with the admin check: 503 when no admin token is configured, 401 without a right one.
 * The handler learns who authenticated (the audit log's actor).
 */
export function guarded(
  d: Pick<AdminHttpDeps, "adminToken" | "adminTokens">,
  handler: AuthedHandler,
  via = "api",
): Handler {
  return async (req, res) => {
    const auth = authenticate(req, d, via);
    if (auth.status === "off") return send(res, 503, { error: ADMIN_OFF_MESSAGE, code: "herald_admin_off" });
    if (auth.status === "denied")
      return send(
        res,
        401,
        {
          error: "Missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>.",
          code: "herald_admin_unauthorized",
        },
        { "www-authenticate": 'Bearer realm="herald-admin"' },
      );
    return handler(req, res, auth.actor);
  };
}

function fail(res: ServerResponse, err: unknown, d: Pick<AdminHttpDeps, "logger">): void {
  const status = statusOf(err);
  if (status === 500) {
    d.logger.error({ err: (err as Error).message }, "admin request failed");
    return send(res, 500, { error: "internal error; see the server log" });
  }
  const e = err as { code: string; message: string };
  send(res, status, { error: e.message, code: e.code });
}

/** Mounts the admin API routes. */
export function mountAdminApi(http: HttpServer, d: AdminHttpDeps): void {
  http.route(
    "GET",
    "/admin/api/sitrep",
    guarded(d, async (req, res) => {
      const q = queryOf(req);
      const window = parseWindow(q.window ?? "24h");
      if (!window) return send(res, 400, { error: "window must be 1h, 24h or 7d", code: "herald_admin_bad_filter" });
      const s = await loadSitrep(d.source, window);
      return q.format === "text" ? send(res, 200, sitrepText(s)) : send(res, 200, s);
    }),
  );

  http.route(
    "GET",
    `${PREFIX}*`,
    guarded(d, async (req, res) => {
      const seg = segmentsAfter(req, PREFIX);
      try {
        if (seg[0] === "tasks" && seg.length === 1)
          return send(res, 200, await listTasks(d, parseFilters(queryOf(req), d.channels)));
        if (seg.join("/") === "deliveries/failed")
          return send(res, 200, { deliveries: await failedDeliveries(d, 200) });
        if (seg[0] === "channels" && seg.length === 1)
          return send(res, 200, { paused: d.outbox ? await d.outbox.paused() : [] });
        if (seg[0] === "runs" && seg.length === 1)
          return send(res, 200, await listRuns(d, parseRunFilters(queryOf(req), d.channels)));
        if (seg[0] === "report" && seg.length === 1) {
          const q = queryOf(req);
          const r = await historyReport(d, parseReportWindow(q, new Date()));
          return send(res, 200, q.format === "text" ? historyReportText(r) : r);
        }
        if (seg[0] === "bulk" && seg.length === 2) {
          const { limit: _l, cursor: _c, ...filters } = parseFilters(queryOf(req), d.channels);
          return send(res, 200, await previewBulk(d, bulkAction(seg[1]), filters));
        }
        if (seg[0] === "tasks" && seg.length === 2) {
          const detail = await getTaskDetail(d, seg[1]!);
          return detail
            ? send(res, 200, detail)
            : send(res, 404, { error: `No task ${seg[1]}.`, code: "herald_task_not_found" });
        }
      } catch (err) {
        return fail(res, err, d);
      }
      return send(res, 404, { error: `no admin route GET ${req.url}; see GET /admin/api/tasks and /admin/api/sitrep` });
    }),
  );

  http.route(
    "POST",
    `${PREFIX}*`,
    guarded(d, async (req, res, actor) => {
      const seg = segmentsAfter(req, PREFIX);
      if (seg[0] === "bulk" && seg.length === 2) {
        try {
          const { confirm, ...b } = bodyOf(req);
          const { limit: _l, cursor: _c, ...filters } = parseFilters(b, d.channels);
          const count = optionalInt(confirm, "confirm");
          if (count === undefined)
            throw new HeraldError(
              "herald_admin_bad_request",
              "confirm is required: the count GET /admin/api/bulk/<action> showed for the same filters.",
            );
          return send(res, 200, await applyBulk(d, { action: bulkAction(seg[1]), filters, confirm: count, actor }));
        } catch (err) {
          return fail(res, err, d);
        }
      }
      if (seg.join("/") === "deliveries/resend" || (seg[0] === "channels" && seg.length === 3)) {
        try {
          const b = bodyOf(req);
          if (seg[0] === "deliveries")
            return send(
              res,
              200,
              await resendFailed(
                d,
                {
                  ids: b.ids ? b.ids.split(",").map((x) => x.trim()) : undefined,
                  channel: b.channel || undefined,
                  taskId: b.taskId || undefined,
                  since: optionalDate(b.since, "since"),
                },
                actor,
              ),
            );
          if (seg[2] !== "pause" && seg[2] !== "resume")
            return send(res, 404, { error: "channels take POST /admin/api/channels/:name/(pause|resume)" });
          return send(
            res,
            200,
            await setChannelPaused(d, { channel: seg[1]!, paused: seg[2] === "pause", actor, reason: b.reason }),
          );
        } catch (err) {
          return fail(res, err, d);
        }
      }
      const action = seg[2] as AdminAction | undefined;
      if (seg[0] !== "tasks" || seg.length !== 3 || !action || !ADMIN_ACTIONS.includes(action)) {
        return send(res, 404, {
          error: `no admin route POST ${req.url}; actions are POST /admin/api/tasks/:id/(${ADMIN_ACTIONS.join("|")})`,
        });
      }
      try {
        const b = bodyOf(req);
        const out = await performAction(d, {
          action,
          taskId: seg[1]!,
          actor,
          reason: b.reason?.slice(0, 500),
          cutoffMinutes: optionalInt(b.minutes, "minutes") ?? null,
          runAt: optionalDate(b.runAt, "runAt"),
          rrule: b.rrule || undefined,
          dtstart: optionalDate(b.dtstart, "dtstart"),
        });
        return send(res, 200, out);
      } catch (err) {
        return fail(res, err, d);
      }
    }),
  );
}

/** @throws HeraldError herald_admin_bad_request for an action bulk does not do. */
export function bulkAction(name: string | undefined): BulkAction {
  if (BULK_ACTIONS.includes(name as BulkAction)) return name as BulkAction;
  throw new HeraldError("herald_admin_bad_request", `bulk actions are ${BULK_ACTIONS.join(", ")} (got "${name}")`);
}
