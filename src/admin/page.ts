import type { IncomingMessage, ServerResponse } from "node:http";
import { HeraldError } from "../errors/index.js";
import type { HttpServer } from "../http/index.js";
import { getTaskDetail, listTasks, pendingApprovals, performAction } from "./actions.js";
import type { AdminHttpDeps } from "./deps.js";
import { detailPage, indexPage, loginPage, messagePage } from "./html.js";
import { ADMIN_ACTIONS, type AdminAction, parseFilters } from "./query.js";
import { ADMIN_OFF_MESSAGE, authorize, CLEAR_SESSION_COOKIE, safeEqual, sessionCookie } from "./auth.js";
import { bodyOf, optionalDate, queryOf, segmentsAfter, statusOf } from "./http-util.js";

/**
 * The admin web page at /admin over the same logic as the API. Sign-in posts the token once (or
 * `/admin?token=…` once, e.g. from a bookmark) and gets an HttpOnly, SameSite=Strict cookie; every action
 * is a form POST answered with a redirect (post/redirect/get), so the page needs no script.
 */
function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    ...headers,
  });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location, "cache-control": "no-store", ...headers });
  res.end();
}

/** Only redirect within the admin page (a form's `back` must not send the browser elsewhere). */
const safeBack = (back: string | undefined) =>
  back && /^\/admin(\/|$|\?)/.test(back) && !back.startsWith("//") ? back : "/admin";

const withFlash = (path: string, key: "msg" | "err", text: string) =>
  `${path}${path.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(text)}`;

const isSecure = (req: IncomingMessage) => req.headers["x-forwarded-proto"] === "https";

/** Mounts GET/POST /admin… (call after the API so /admin/api/ routes match first). */
export function mountAdminPage(http: HttpServer, d: AdminHttpDeps): void {
  const token = d.adminToken;
  const gate = (req: IncomingMessage, res: ServerResponse): boolean => {
    const auth = authorize(req, token);
    if (auth === "off") html(res, 503, messagePage("Admin is off", ADMIN_OFF_MESSAGE));
    else if (auth === "denied") html(res, 401, loginPage());
    return auth === "ok";
  };

  const index = async (req: IncomingMessage, res: ServerResponse) => {
    const q = queryOf(req);
    if (q.token !== undefined && token) {
      // A one-time link: trade the token for the cookie, and drop it from the address bar.
      if (!safeEqual(q.token, token)) return html(res, 401, loginPage("That token is not right."));
      return redirect(res, "/admin", { "set-cookie": sessionCookie(token, isSecure(req)) });
    }
    if (!gate(req, res)) return;
    const { msg, err, ...filters } = q;
    let results: Awaited<ReturnType<typeof listTasks>> = { tasks: [], nextCursor: null };
    let error = err;
    try {
      results = await listTasks(d, parseFilters(filters, d.channels));
    } catch (e) {
      if (!(e instanceof HeraldError)) throw e;
      error = e.message;
    }
    html(
      res,
      200,
      indexPage(
        { pending: await pendingApprovals(d), results, query: filters, channels: d.channels },
        { msg, err: error },
      ),
    );
  };
  http.route("GET", "/admin", index);

  http.route("POST", "/admin/login", (req, res) => {
    if (!token) return html(res, 503, messagePage("Admin is off", ADMIN_OFF_MESSAGE));
    const given = bodyOf(req).token ?? "";
    if (!safeEqual(given, token)) return html(res, 401, loginPage("That token is not right."));
    redirect(res, "/admin", { "set-cookie": sessionCookie(token, isSecure(req)) });
  });
  http.route("POST", "/admin/logout", (_req, res) => redirect(res, "/admin", { "set-cookie": CLEAR_SESSION_COOKIE }));

  http.route("GET", "/admin/*", async (req, res) => {
    const seg = segmentsAfter(req, "/admin/");
    if (seg.length === 0) return index(req, res);
    if (!gate(req, res)) return;
    const q = queryOf(req);
    if (seg[0] === "tasks" && seg.length === 2) {
      const detail = await getTaskDetail(d, seg[1]!);
      if (!detail) return html(res, 404, messagePage("Not found", `No task ${seg[1]}.`));
      return html(res, 200, detailPage(detail, { msg: q.msg, err: q.err }));
    }
    html(res, 404, messagePage("Not found", "No such admin page; start at /admin."));
  });

  http.route("POST", "/admin/*", async (req, res) => {
    if (!gate(req, res)) return;
    const seg = segmentsAfter(req, "/admin/");
    const action = seg[2] as AdminAction | undefined;
    if (seg[0] !== "tasks" || seg.length !== 3 || !action || !ADMIN_ACTIONS.includes(action))
      return html(res, 404, messagePage("Not found", "No such admin action."));
    const b = bodyOf(req);
    const back = safeBack(b.back);
    try {
      const out = await performAction(d, {
        action,
        taskId: seg[1]!,
        actor: "admin:web",
        reason: b.reason?.slice(0, 500) || undefined,
        runAt: optionalDate(b.runAt, "new time"),
        rrule: b.rrule || undefined,
        dtstart: optionalDate(b.dtstart, "dtstart"),
      });
      redirect(res, withFlash(back, "msg", out.message));
    } catch (err) {
      if (statusOf(err) === 500) throw err;
      redirect(res, withFlash(back, "err", (err as Error).message));
    }
  });
}
