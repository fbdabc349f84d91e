import { DateTime } from "luxon";
import { loadSitrep, type Sitrep, type SitrepSource } from "../ops/index.js";
import { type AdminDeps, pendingApprovals, type TaskWithOwner } from "./actions.js";
import type { BulkPreview } from "./bulk.js";
import { lineChart } from "./charts.js";
import type { RunRow } from "./history.js";
import { escapeHtml as h, formatIn, layout, pendingSection, searchForm, select, table, type View } from "./html.js";

/**
 * The dashboard (the sitrep at a glance, charts, workers, failed deliveries, approvals), the run history
 * page and the bulk preview: data loading and HTML.
 */

export type ChartRange = "24h" | "7d" | "30d";

export interface Buckets {
  labels: string[];
  fired: number[];
  delivered: number[];
  failed: number[];
  lateP50: number[];
  lateP95: number[];
}

export interface FailedDelivery {
  id: string;
  channel: string;
  recipient: string;
  status: string;
  error: string | null;
  updatedAt: Date;
  taskId: string | null;
  title: string | null;
}

export interface DashboardData {
  sitrep: Sitrep;
  range: ChartRange;
  buckets: Buckets;
  pending: TaskWithOwner[];
  failedDeliveries: FailedDelivery[];
}

/** Counters per hour (24h) or per day (7d, 30d) from ops_hourly, lateness percentiles from the runs. */
export async function loadBuckets(
  d: Pick<AdminDeps, "prisma">,
  range: ChartRange,
  now: Date,
  tz: string,
): Promise<Buckets> {
  const hourly = range === "24h";
  const n = hourly ? 24 : range === "7d" ? 7 : 30;
  const unit = hourly ? "hour" : "day";
  const end = DateTime.fromJSDate(now, { zone: tz }).startOf(unit);
  const starts = Array.from({ length: n }, (_, i) => end.minus({ [unit]: n - 1 - i }));
  const from = starts[0]!.toJSDate();
  const [counts, late] = await Promise.all([
    d.prisma.$queryRaw<{ hour: Date; metric: string; key: string; n: number }[]>`
      SELECT hour, metric, key, sum(n)::float8 AS n FROM ops_hourly WHERE metric IN ('run', 'delivery') AND hour >= ${from} GROUP BY 1, 2, 3`,
    d.prisma.$queryRaw<{ bucket: Date; p50: number; p95: number }[]>`
      SELECT date_trunc(${unit}, started_at, ${tz}) AS bucket, percentile_disc(0.5) WITHIN GROUP (ORDER BY late_ms) AS p50,
             percentile_disc(0.95) WITHIN GROUP (ORDER BY late_ms) AS p95
        FROM task_runs WHERE started_at >= ${from} AND late_ms IS NOT NULL GROUP BY 1`,
  ]);
  const index = (at: Date) => {
    const t = DateTime.fromJSDate(at, { zone: tz }).startOf(unit);
    return starts.findIndex((s) => s.toMillis() === t.toMillis());
  };
  const zero = () => starts.map(() => 0);
  const b: Buckets = {
    labels: starts.map((s) => s.toFormat(hourly ? "HH:mm" : "MMM d")),
    fired: zero(),
    delivered: zero(),
    failed: zero(),
    lateP50: zero(),
    lateP95: zero(),
  };
  for (const c of counts) {
    const i = index(c.hour);
    if (i < 0) continue;
    const status = c.metric === "run" ? c.key : c.key.split(":")[1];
    if (c.metric === "run") b.fired[i]! += c.n;
    if (c.metric === "run" && status === "failed") b.failed[i]! += c.n;
    if (c.metric === "delivery" && (status === "delivered" || status === "sent" || status === "queued"))
      b.delivered[i]! += c.n;
    if (c.metric === "delivery" && (status === "failed" || status === "undelivered")) b.failed[i]! += c.n;
  }
  for (const l of late) {
    const i = index(l.bucket);
    if (i < 0) continue;
    b.lateP50[i] = Number(l.p50);
    b.lateP95[i] = Number(l.p95);
  }
  return b;
}

/** Deliveries that failed for good or that the carrier reported undelivered, newest first. */
export async function failedDeliveries(d: Pick<AdminDeps, "prisma">, limit = 20): Promise<FailedDelivery[]> {
  const rows = await d.prisma.delivery.findMany({
    where: { status: { in: ["failed", "undelivered"] } },
    orderBy: { updatedAt: "desc" },
    take: limit,
  });
  const taskIds = [...new Set(rows.flatMap((r) => (r.taskId ? [r.taskId] : [])))];
  const titles = new Map(
    (await d.prisma.task.findMany({ where: { id: { in: taskIds } }, select: { id: true, title: true } })).map((t) => [
      t.id,
      t.title,
    ]),
  );
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    status: r.status,
    error: r.error,
    updatedAt: r.updatedAt,
    taskId: r.taskId,
    title: (r.taskId && titles.get(r.taskId)) ?? null,
  }));
}

export async function loadDashboard(
  d: Pick<AdminDeps, "prisma"> & { source: SitrepSource },
  range: ChartRange,
  tz: string,
  now = new Date(),
): Promise<DashboardData> {
  const [sitrep, buckets, pending, failed] = await Promise.all([
    loadSitrep(d.source, "24h", now),
    loadBuckets(d, range, now, tz),
    pendingApprovals(d),
    failedDeliveries(d),
  ]);
  return { sitrep, range, buckets, pending, failedDeliveries: failed };
}

const pct = (r: number | null) => (r === null ? "n/a" : `${(r * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "—" : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);
const tile = (label: string, value: string, bad = false) =>
  `<div class="tile${bad ? " bad" : ""}"><b>${h(value)}</b>${h(label)}</div>`;

/** The part of the dashboard the live refresh replaces. */
export function dashboardLive(
  x: DashboardData,
  view: View,
  paused: { channel: string; pausedBy: string; reason: string | null; pausedAt: Date }[] | null,
  channels: readonly string[] = [],
): string {
  const resend = paused !== null;
  const when = formatIn(view.tz);
  const s = x.sitrep;
  const tiles = [
    tile("runs, last 24h", String(s.runs.total)),
    tile("runs succeeded", pct(s.runs.successRate), (s.runs.successRate ?? 1) < 0.95),
    tile("messages reached", pct(s.deliveries.deliveredRate), (s.deliveries.deliveredRate ?? 1) < 0.95),
    tile("lateness p95", ms(s.lateness.p95Ms), (s.lateness.p95Ms ?? 0) > 60_000),
    tile("backlog", String(s.backlog.count), s.backlog.count > 0),
    tile("waiting for approval", String(s.tasks.byStatus.pending_approval ?? 0), s.approvals.overdue > 0),
    tile("live workers", String(s.workers.processes.length), s.workers.fire === 0),
    tile("failed deliveries, 24h", String(s.deliveries.failed), s.deliveries.failed > 0),
  ].join("");
  const b = x.buckets;
  const charts = `<div class="charts">${lineChart({
    title: `Fired, delivered and failed per ${x.range === "24h" ? "hour" : "day"} (${view.tz})`,
    labels: b.labels,
    series: [
      { name: "fired", color: "#1f6feb", values: b.fired },
      { name: "delivered", color: "#2da44e", values: b.delivered },
      { name: "failed", color: "#cf222e", values: b.failed },
    ],
  })}${lineChart({
    title: `Firing lateness per ${x.range === "24h" ? "hour" : "day"}, ms`,
    labels: b.labels,
    series: [
      { name: "p50", color: "#8250df", values: b.lateP50 },
      { name: "p95", color: "#bf8700", values: b.lateP95 },
    ],
  })}</div>`;
  const workers = table(
    ["Host", "PID", "Roles", "Started", "Last heartbeat", "In flight", "Processed"],
    s.workers.processes.map(
      (p) =>
        `<tr><td>${h(p.host)}</td><td>${p.pid}</td><td>${h(p.roles)}</td><td>${h(when(p.startedAt))}</td><td>${h(when(p.heartbeatAt))}</td><td>${p.inFlight}</td><td>${p.processed}</td></tr>`,
    ),
    "No worker has reported a heartbeat in the last minute: start `herald worker`.",
  );
  const failed = table(
    ["When", "Task", "Channel", "Recipient", "Status", "Error", ""],
    x.failedDeliveries.map(
      (f) =>
        `<tr data-delivery-id="${h(f.id)}"><td>${h(when(f.updatedAt))}</td><td>${f.taskId ? `<a href="/admin/tasks/${h(f.taskId)}">${h(f.title ?? f.taskId)}</a>` : "—"}</td><td>${h(f.channel)}</td><td>${h(f.recipient)}</td><td class="status">${h(f.status)}</td><td>${h(f.error ?? "")}</td><td>${
          resend
            ? `<form class="inline" method="post" action="/admin/deliveries/${h(f.id)}/resend"><button type="submit">Re-send</button></form>`
            : ""
        }</td></tr>`,
    ),
    "No failed deliveries.",
  );
  const recent = table(
    ["Started", "Task", "Status", "Finished", "Took", "Error"],
    s.recent.map(
      (r) =>
        `<tr><td>${h(when(r.startedAt))}</td><td><a href="/admin/tasks/${h(r.taskId)}">${h(r.title)}</a></td><td class="status">${h(r.status)}</td><td>${h(when(r.finishedAt))}</td><td>${h(ms(r.durationMs))}</td><td>${h(r.error ?? "")}</td></tr>`,
    ),
    "No runs yet.",
  );
  return `<p><small>As of ${h(when(s.at))}${s.approvals.overdue ? ` · <strong>${s.approvals.overdue} approval(s) overdue</strong>` : ""}</small></p>
<section aria-labelledby="glance"><h2 id="glance">At a glance</h2><div class="tiles">${tiles}</div></section>
<section aria-labelledby="charts"><h2 id="charts">Charts</h2><p>${(["24h", "7d", "30d"] as const)
    .map((r) => (r === x.range ? `<strong>${r}</strong>` : `<a href="/admin?range=${r}">${r}</a>`))
    .join(" · ")}</p>${charts}</section>
${pendingSection(x.pending, when)}
<section aria-labelledby="failed"><h2 id="failed">Failed deliveries</h2>${failed}${
    resend && x.failedDeliveries.length
      ? `<form method="post" action="/admin/deliveries/resend"><button type="submit">Re-send all failed</button></form>`
      : ""
  }</section>
${
  paused
    ? `<section aria-labelledby="channels"><h2 id="channels">Channels</h2>${table(
        ["Channel", "State", ""],
        channels.map((c) => {
          const p = paused.find((x) => x.channel === c);
          return `<tr data-channel="${h(c)}"><td>${h(c)}</td><td>${p ? `paused by ${h(p.pausedBy)} since ${h(when(p.pausedAt))}${p.reason ? `: ${h(p.reason)}` : ""}` : "sending"}</td><td><form class="inline" method="post" action="/admin/channels/${h(c)}/${p ? "resume" : "pause"}">${p ? "" : `<input name="reason" placeholder="why (optional)" aria-label="reason for pausing ${h(c)}">`}<button type="submit">${p ? `Resume ${h(c)}` : `Pause ${h(c)}`}</button></form></td></tr>`;
        }),
        "",
      )}</section>`
    : ""
}
<section aria-labelledby="workers"><h2 id="workers">Workers</h2>${workers}</section>
<section aria-labelledby="recent"><h2 id="recent">Recent runs</h2>${recent}</section>`;
}

/** The dashboard, refreshing its live part every 10 seconds while "Live" is ticked. */
export function dashboardPage(
  x: DashboardData,
  flash: { msg?: string; err?: string },
  view: View,
  channels: readonly string[],
  paused: { channel: string; pausedBy: string; reason: string | null; pausedAt: Date }[] | null,
): string {
  const script = `<script>(()=>{const box=document.getElementById("live-on");setInterval(async()=>{if(!box.checked)return;
const r=await fetch(location.pathname+location.search+(location.search?"&":"?")+"partial=1",{credentials:"same-origin"});
if(r.ok){document.getElementById("live").innerHTML=await r.text();document.getElementById("refreshed").textContent=new Date().toLocaleTimeString();}},10000);})();</script>`;
  const body = `<p><label><input type="checkbox" id="live-on" checked> Live (refreshes every 10 s)</label> <small>last refresh <span id="refreshed">—</span></small></p>
<form method="get" action="/admin/tasks" aria-label="Find tasks">${searchForm({}, channels).replace(/^<form[^>]*>|<\/form>$/g, "")}</form>
<div id="live">${dashboardLive(x, view, paused, channels)}</div>${script}`;
  return layout("Dashboard", body, flash, view);
}

/** The run history: filters, and runs with their durations and what became of their messages. */
export function runsPage(
  page: { runs: RunRow[]; nextCursor: string | null },
  q: Record<string, string>,
  flash: { msg?: string; err?: string },
  view: View,
  channels: readonly string[],
): string {
  const when = formatIn(view.tz);
  const next = page.nextCursor
    ? `<a href="/admin/runs?${new URLSearchParams({ ...q, cursor: page.nextCursor }).toString().replace(/&/g, "&amp;")}">Next page →</a>`
    : "";
  const body = `<form method="get" action="/admin/runs" aria-label="Filter runs">${select("status", ["running", "succeeded", "failed", "skipped"], q.status)}${select("channel", channels, q.channel)}
<input name="user" placeholder="user" value="${h(q.user)}"><input name="error" placeholder="error text" value="${h(q.error)}">
<label>from <input name="from" placeholder="2026-11-25T00:00Z" value="${h(q.from)}"></label><label>to <input name="to" value="${h(q.to)}"></label><button type="submit">Filter</button></form>
<p><a href="/admin/api/report?window=24h&amp;format=text">History report, last 24h</a> · <a href="/admin/api/report?window=7d&amp;format=text">7 days</a></p>
${table(
  ["Started", "Task", "Owner", "Status", "Took", "Late", "Messages", "Error"],
  page.runs.map(
    (r) =>
      `<tr data-run-id="${h(r.id)}"><td>${h(when(r.startedAt))}</td><td><a href="/admin/tasks/${h(r.taskId)}">${h(r.title)}</a></td><td>${h(r.owner.name ?? r.owner.consoleName ?? r.owner.slackUserId ?? r.owner.email ?? r.owner.phone ?? r.owner.id)}</td><td class="status">${h(r.status)}</td><td>${h(ms(r.durationMs))}</td><td>${h(ms(r.lateMs))}</td><td>${h(r.deliveries.map((x) => `${x.channel} ${x.status}`).join(", ") || "—")}</td><td>${h(r.error ?? "")}</td></tr>`,
  ),
  "No runs match.",
)}${next}`;
  return layout("Runs", body, flash, view);
}

/** What a bulk action would do, with the button that does it (carrying the count shown). */
export function bulkPreviewPage(p: BulkPreview, filters: Record<string, string>, view: View): string {
  const hidden = Object.entries(filters)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join("");
  const back = `/admin/tasks?${new URLSearchParams(filters).toString()}`;
  const body = `<p role="note">This will <strong>${h(p.action)}</strong> <strong data-count>${p.count}</strong> task${p.count === 1 ? "" : "s"}${p.count > p.sample.length ? `, among them:` : ":"}</p>
${table(
  ["Task", "Status"],
  p.sample.map(
    (t) =>
      `<tr><td><a href="/admin/tasks/${h(t.id)}">${h(t.title)}</a></td><td class="status">${h(t.status)}</td></tr>`,
  ),
  "No task matches.",
)}${
  p.count
    ? `<form method="post" action="/admin/bulk/${h(p.action)}">${hidden}<input type="hidden" name="confirm" value="${p.count}"><input type="hidden" name="back" value="${h(back)}"><button type="submit">${h(p.action[0]!.toUpperCase() + p.action.slice(1))} ${p.count} task${p.count === 1 ? "" : "s"}</button></form>`
    : ""
}<p><a href="${h(back)}">Back to the search</a></p>`;
  return layout(`Bulk ${p.action}`, body, {}, view);
}
