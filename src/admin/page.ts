import type { IncomingMessage, ServerResponse } from "node:http";
import { HeraldError } from "../errors/index.js";
import type { HttpServer } from "../http/index.js";
import { isValidTimeZone } from "../time/index.js";
import { getTaskDetail, listTasks, performAction } from "./actions.js";
import { bulkAction } from "./api.js";
import { ADMIN_OFF_MESSAGE, authenticate, CLEAR_SESSION_COOKIE, parseCookies, sessionCookieFor } from "./auth.js";
import { applyBulk, previewBulk } from "./bulk.js";
import {
  type ChartRange,
  bulkPreviewPage,
  dashboardLive,
  dashboardPage,
  loadDashboard,
  runsPage,
} from "./dashboard.js";
import type { AdminHttpDeps } from "./deps.js";
import { resendFailed, setChannelPaused } from "./deliveries.js";
import { listRuns } from "./history.js";
import { detailPage, indexPage, loginPage, messagePage, type View } from "./html.js";
import { bodyOf, optionalDate, optionalInt, queryOf, segmentsAfter, statusOf } from "./http-util.js";
import { ADMIN_ACTIONS, type AdminAction, parseFilters, parseRunFilters } from "./query.js";

/**
 * The admin console at /admin over the same logic as the API. Sign-in posts the token once (or
 * `/admin?token=…` once, e.g. from a bookmark) and gets an HttpOnly, SameSite=Strict cookie; every action
 * is a form POST answered with a redirect (post/redirect/get). The operator's time zone is a cookie too.
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

const TZ_COOKIE = "herald_tz";
const viewOf = (req: IncomingMessage): View => {
  const tz = parseCookies(req.headers.cookie)[TZ_COOKIE];
  return { tz: tz && isValidTimeZone(tz) ? tz : "UTC" };
};
const RANGES: readonly ChartRange[] = ["24h", "7d", "30d"];

/** Mounts GET/POST /admin… (call after the API so /admin/api/ routes match first). */
export function mountAdminPage(http: HttpServer, d: AdminHttpDeps): void {
  /** Who is signed in, or null once the page said why not. */
  const gate = (req: IncomingMessage, res: ServerResponse): string | null => {
    const auth = authenticate(req, d, "web");
    if (auth.status === "off") html(res, 503, messagePage("Admin is off", ADMIN_OFF_MESSAGE));
    else if (auth.status === "denied") html(res, 401, loginPage());
    return auth.status === "ok" ? auth.actor : null;
  };
  const flashOf = (q: Record<string, string>) => ({ msg: q.msg, err: q.err });

  const dashboard = async (req: IncomingMessage, res: ServerResponse) => {
    const q = queryOf(req);
    if (q.token !== undefined && (d.adminToken || d.adminTokens?.length)) {
      // A one-time link: trade the token for the cookie, and drop it from the address bar.
      const cookie = sessionCookieFor(d, q.token, isSecure(req));
      if (!cookie) return html(res, 401, loginPage("That token is not right."));
      return redirect(res, "/admin", { "set-cookie": cookie });
    }
    if (!gate(req, res)) return;
    const view = viewOf(req);
    const range = RANGES.includes(q.range as ChartRange) ? (q.range as ChartRange) : "24h";
    const data = await loadDashboard(d, range, view.tz);
    const paused = d.outbox ? await d.outbox.paused() : null;
    if (q.partial) return html(res, 200, dashboardLive(data, view, paused, d.channels));
    html(res, 200, dashboardPage(data, flashOf(q), view, d.channels, paused));
  };
  http.route("GET", "/admin", dashboard);

  http.route("POST", "/admin/login", (req, res) => {
    if (!d.adminToken && !d.adminTokens?.length) return html(res, 503, messagePage("Admin is off", ADMIN_OFF_MESSAGE));
    const cookie = sessionCookieFor(d, bodyOf(req).token ?? "", isSecure(req));
    if (!cookie) return html(res, 401, loginPage("That token is not right."));
    redirect(res, "/admin", { "set-cookie": cookie });
  });
  http.route("POST", "/admin/logout", (_req, res) => redirect(res, "/admin", { "set-cookie": CLEAR_SESSION_COOKIE }));

  http.route("GET", "/admin/*", async (req, res) => {
    const seg = segmentsAfter(req, "/admin/");
    if (seg.length === 0) return dashboard(req, res);
    if (!gate(req, res)) return;
    const q = queryOf(req);
    const view = viewOf(req);
    try {
      if (seg[0] === "tasks" && seg.length === 1) {
        const { msg: _m, err: _e, ...filters } = q;
        let error = q.err;
        let results: Awaited<ReturnType<typeof listTasks>> = { tasks: [], nextCursor: null };
        try {
          results = await listTasks(d, parseFilters(filters, d.channels));
        } catch (e) {
          if (!(e instanceof HeraldError)) throw e;
          error = e.message;
        }
        return html(
          res,
          200,
          indexPage({ results, query: filters, channels: d.channels }, { msg: q.msg, err: error }, view),
        );
      }
      if (seg[0] === "tasks" && seg.length === 2) {
        const detail = await getTaskDetail(d, seg[1]!);
        if (!detail) return html(res, 404, messagePage("Not found", `No task ${seg[1]}.`));
        return html(res, 200, detailPage(detail, flashOf(q), view));
      }
      if (seg[0] === "runs" && seg.length === 1) {
        const { msg: _m, err: _e, ...filters } = q;
        const page = await listRuns(d, parseRunFilters(filters, d.channels));
        return html(res, 200, runsPage(page, filters, flashOf(q), view, d.channels));
      }
      if (seg[0] === "bulk" && seg.length === 1) {
        const { action, ...filters } = q;
        const { limit: _l, cursor: _c, ...parsed } = parseFilters(filters, d.channels);
        return html(res, 200, bulkPreviewPage(await previewBulk(d, bulkAction(action), parsed), filters, view));
      }
    } catch (err) {
      if (statusOf(err) === 500) throw err;
      return html(res, statusOf(err), messagePage("Not possible", (err as Error).message));
    }
    html(res, 404, messagePage("Not found", "No such admin page; start at /admin."));
  });

  http.route("POST", "/admin/*", async (req, res) => {
    const actor = gate(req, res);
    if (!actor) return;
    const seg = segmentsAfter(req, "/admin/");
    const b = bodyOf(req);
    if (seg[0] === "zone") {
      const tz = b.tz ?? "";
      if (!isValidTimeZone(tz)) return redirect(res, withFlash("/admin", "err", `${tz} is not a time zone.`));
      const back = safeBack(req.headers.referer ? new URL(req.headers.referer).pathname : undefined);
      return redirect(res, back, {
        "set-cookie": `${TZ_COOKIE}=${encodeURIComponent(tz)}; Path=/admin; SameSite=Strict; Max-Age=31536000`,
      });
    }
    const back = safeBack(b.back);
    try {
      if (seg[0] === "deliveries") {
        const one = seg.length === 3 && seg[2] === "resend" ? [seg[1]!] : undefined;
        const r = await resendFailed(d, { ids: one }, actor);
        return redirect(res, withFlash(back, "msg", r.message));
      }
      if (seg[0] === "channels" && seg.length === 3) {
        const r = await setChannelPaused(d, {
          channel: seg[1]!,
          paused: seg[2] === "pause",
          actor,
          reason: b.reason || undefined,
        });
        return redirect(res, withFlash(back, "msg", r.message));
      }
      if (seg[0] === "bulk" && seg.length === 2) {
        const { confirm, back: _b, ...filters } = b;
        const { limit: _l, cursor: _c, ...parsed } = parseFilters(filters, d.channels);
        const r = await applyBulk(d, {
          action: bulkAction(seg[1]),
          filters: parsed,
          confirm: optionalInt(confirm, "confirm") ?? -1,
          actor,
        });
        return redirect(
          res,
          withFlash(back, "msg", `${r.action}: ${r.done} done, ${r.refusedCount} refused (of ${r.matched}).`),
        );
      }
      const action = seg[2] as AdminAction | undefined;
      if (seg[0] !== "tasks" || seg.length !== 3 || !action || !ADMIN_ACTIONS.includes(action))
        return html(res, 404, messagePage("Not found", "No such admin action."));
      const out = await performAction(d, {
        action,
        taskId: seg[1]!,
        actor,
        reason: b.reason?.slice(0, 500) || undefined,
        runAt: optionalDate(b.runAt, "new time"),
        rrule: b.rrule || undefined,
        dtstart: optionalDate(b.dtstart, "dtstart"),
        cutoffMinutes: optionalInt(b.minutes, "minutes") ?? null,
      });
      redirect(res, withFlash(back, "msg", out.message));
    } catch (err) {
      if (statusOf(err) === 500) throw err;
      redirect(res, withFlash(back, "err", (err as Error).message));
    }
  });
}
