import type { ServerResponse } from "node:http";
import { type Handler, type HttpServer, send } from "../http/index.js";
import { loadSitrep, parseWindow, sitrepText } from "../ops/index.js";
import { getTaskDetail, listTasks, performAction } from "./actions.js";
import { ADMIN_OFF_MESSAGE, authorize } from "./auth.js";
import type { AdminHttpDeps } from "./deps.js";
import { bodyOf, optionalDate, queryOf, segmentsAfter, statusOf } from "./http-util.js";
import { ADMIN_ACTIONS, type AdminAction, parseFilters } from "./query.js";

/**
 * The admin API under /admin/api, behind ADMIN_TOKEN as a bearer token (or the admin page's cookie):
 *   GET  /admin/api/sitrep?window=24h[&format=text]
 *   GET  /admin/api/tasks?status=&user=&channel=&text=&dueFrom=&dueTo=&limit=&cursor=
 *   GET  /admin/api/tasks/:id
 *   POST /admin/api/tasks/:id/(approve|reject|cancel|retry|run|reschedule|pause|resume)
 *        body (JSON or form): actor?, reason? (reject), runAt? | rrule? + dtstart? (reschedule)
 */
const PREFIX = "/admin/api/";

/** Wraps a handler with the admin check: 503 when ADMIN_TOKEN is unset, 401 without the right token. */
export function guarded(d: Pick<AdminHttpDeps, "adminToken">, handler: Handler): Handler {
  return async (req, res) => {
    const auth = authorize(req, d.adminToken);
    if (auth === "off") return send(res, 503, { error: ADMIN_OFF_MESSAGE, code: "herald_admin_off" });
    if (auth === "denied")
      return send(
        res,
        401,
        {
          error: "Missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>.",
          code: "herald_admin_unauthorized",
        },
        { "www-authenticate": 'Bearer realm="herald-admin"' },
      );
    return handler(req, res);
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
    guarded(d, async (req, res) => {
      const seg = segmentsAfter(req, PREFIX);
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
          actor: `admin:${(b.actor ?? "api").slice(0, 60)}`,
          reason: b.reason?.slice(0, 500),
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
