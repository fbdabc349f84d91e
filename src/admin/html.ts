import { DateTime } from "luxon";
import type { Task } from "../db/index.js";
import { TASK_STATUSES } from "../ops/index.js";
import { decide, type TaskAction, type TaskStatus } from "../tasks/index.js";
import { describeSchedule } from "../time/index.js";
import { ownerLabel, type TaskDetail, type TaskWithOwner } from "./actions.js";

/**
 * The admin console's HTML, server-rendered from data (pure). Forms post (post/redirect/get); the only
 * script is the dashboard's live refresh. Times are shown in the operator's zone, chosen on the page.
 */

/** What every page knows of the operator: the zone they read times in. */
export interface View {
  tz: string;
}

/** A time in the operator's zone, e.g. "2026-11-25 09:00 EST". */
export const formatIn =
  (tz: string) =>
  (d: Date | string | null | undefined): string => {
    if (!d) return "—";
    const t = DateTime.fromJSDate(typeof d === "string" ? new Date(d) : d, { zone: tz });
    return t.toFormat("yyyy-MM-dd HH:mm ZZZZ");
  };

/** A task's schedule in words, with its RRULE beside it; a one-off's time in the operator's zone. */
export function scheduleHtml(
  t: Pick<Task, "rrule" | "timezone" | "dtstart" | "runAt">,
  when: (d: Date | null) => string,
): string {
  if (!t.rrule) return `once, ${escapeHtml(when(t.runAt))}`;
  return `${escapeHtml(describeSchedule(t.rrule, t.timezone, t.dtstart))}<br><code class="rrule">${escapeHtml(t.rrule)}</code>`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const h = escapeHtml;

const CSS = `*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem;color:#222;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left;vertical-align:top}
form.inline{display:inline}button{margin:0 .2rem .2rem 0;cursor:pointer}.msg{background:#e7f6e7;padding:.5rem}.err{background:#fde8e8;padding:.5rem}
.status{font-family:monospace}nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem}
input,select{margin:0 .4rem .3rem 0;max-width:100%}pre{white-space:pre-wrap;margin:0}code.rrule{font-size:12px;color:#555}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem;margin:.5rem 0 1rem}
.tile{border:1px solid #ddd;border-radius:6px;padding:.5rem}.tile b{display:block;font-size:1.4rem}.tile.bad b{color:#b00}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}figure.chart{margin:0}figcaption{font-size:12px;color:#555}`;

/** The page frame: navigation, the operator's zone, and an optional flash message. */
export function layout(
  title: string,
  body: string,
  flash: { msg?: string; err?: string } = {},
  view: View = { tz: "UTC" },
): string {
  const zones = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
  ];
  if (!zones.includes(view.tz)) zones.unshift(view.tz);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)} · Herald admin</title><style>${CSS}</style></head><body>
<nav><a href="/admin">Dashboard</a><a href="/admin/tasks">Tasks</a><a href="/admin/runs">Runs</a>
<form class="inline" method="post" action="/admin/zone"><label>Times in <select name="tz" aria-label="Time zone">${zones.map((z) => `<option${z === view.tz ? " selected" : ""}>${h(z)}</option>`).join("")}</select></label><button type="submit">Show</button></form>
<form class="inline" method="post" action="/admin/logout"><button>Sign out</button></form></nav>
${flash.msg ? `<p class="msg" role="status">${h(flash.msg)}</p>` : ""}${flash.err ? `<p class="err" role="alert">${h(flash.err)}</p>` : ""}
<h1>${h(title)}</h1>${body}</body></html>`;
}

/** The sign-in form (the token is posted once, then an HttpOnly cookie keeps the session). */
export function loginPage(error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Herald admin</title><style>${CSS}</style></head><body>
<h1>Herald admin</h1>${error ? `<p class="err" role="alert">${h(error)}</p>` : ""}
<form method="post" action="/admin/login"><label>Admin token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form><p>The token is the server's ADMIN_TOKEN.</p></body></html>`;
}

/** A page shown when the admin UI is off or broken (no frame: there may be no session). */
export function messagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title><style>${CSS}</style></head><body><h1>${h(title)}</h1><p>${h(text)}</p></body></html>`;
}

/** The actions offered for a task in its status. */
export function actionsFor(t: Pick<Task, "status"> & Partial<Pick<Task, "userId" | "rrule">>): string[] {
  // The task rules decide (src/tasks/transitions.ts); retry is offered where a run failed.
  const facts = { status: t.status as TaskStatus, userId: t.userId ?? "", recurring: Boolean(t.rrule) };
  return OFFERED.filter(
    ([name, action]) => (name !== "retry" || t.status === "failed") && decide(facts, action, ADMIN).ok,
  ).map(([name]) => name);
}

/** The page's action buttons, in the order shown, with the task rule each asks. */
const OFFERED: [string, TaskAction][] = [
  ["approve", "approve"],
  ["reject", "reject"],
  ["run", "run_now"],
  ["retry", "retry"],
  ["pause", "pause"],
  ["resume", "resume"],
  ["cancel", "cancel"],
];
const ADMIN = { kind: "admin", name: "admin:web" } as const;

const LABEL: Record<string, string> = {
  approve: "Approve",
  reject: "Reject",
  cancel: "Cancel",
  retry: "Retry",
  run: "Run now",
  pause: "Pause",
  resume: "Resume",
  reschedule: "Reschedule",
};

function actionForm(taskId: string, action: string, back: string, extra = ""): string {
  return `<form class="inline" method="post" action="/admin/tasks/${h(taskId)}/${action}"><input type="hidden" name="back" value="${h(back)}">${extra}<button type="submit" name="action" value="${action}">${LABEL[action]}</button></form>`;
}

export function taskRow(
  t: TaskWithOwner,
  back: string,
  withActions: boolean,
  when: (d: Date | null) => string,
): string {
  return `<tr data-task-id="${h(t.id)}"><td><a href="/admin/tasks/${h(t.id)}">${h(t.title)}</a></td><td>${h(ownerLabel(t.user))}</td><td class="status">${h(t.status)}</td><td>${h(t.channel)}${t.audience ? ` → ${h(t.audience)}` : ""}</td>
<td>${h(when(t.nextRunAt))}</td><td>${scheduleHtml(t, when)}</td><td>${h(t.approvalReason ?? "")}</td>
<td>${
    withActions
      ? actionsFor(t)
          .map((a) => actionForm(t.id, a, back))
          .join("")
      : when(t.createdAt)
  }</td></tr>`;
}

export const table = (head: string[], rows: string[], empty: string) =>
  rows.length
    ? `<div class="scroll"><table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`
    : `<p>${h(empty)}</p>`;

export function select(
  name: string,
  values: readonly string[],
  current: string | undefined,
  none = `any ${name}`,
): string {
  return `<select name="${name}" aria-label="${name}"><option value="">${h(none)}</option>${values.map((v) => `<option${v === current ? " selected" : ""}>${h(v)}</option>`).join("")}</select>`;
}

export interface IndexData {
  results: { tasks: TaskWithOwner[]; nextCursor: string | null };
  query: Record<string, string>;
  /** Channel names for the filter (the channel registry's). */
  channels: readonly string[];
}

/** The approval queue (the dashboard shows it first). */
export function pendingSection(pending: TaskWithOwner[], when: (d: Date | null) => string): string {
  return `<section aria-labelledby="pending"><h2 id="pending">Waiting for approval (${pending.length})</h2>
${table(
  ["Task", "Owner", "Status", "Channel", "Due", "Schedule", "Why", "Actions"],
  pending.map((t) => taskRow(t, "/admin", true, when)),
  "Nothing is waiting for approval.",
)}</section>`;
}

/** The search form over tasks (the dashboard and the tasks page). */
export function searchForm(q: Record<string, string>, channels: readonly string[]): string {
  return `<form method="get" action="/admin/tasks"><input name="text" placeholder="title or instruction" value="${h(q.text)}">${select("status", TASK_STATUSES, q.status)}${select("channel", channels, q.channel)}
<input name="user" placeholder="user (id, Slack id, name…)" value="${h(q.user)}"><label>due from <input name="dueFrom" placeholder="2026-11-25T00:00Z" value="${h(q.dueFrom)}"></label>
<label>to <input name="dueTo" value="${h(q.dueTo)}"></label><button type="submit">Search</button></form>`;
}

/** The tasks page: search, results with owners and schedules in words, and bulk actions over the filter. */
export function indexPage(d: IndexData, flash: { msg?: string; err?: string }, view: View = { tz: "UTC" }): string {
  const when = formatIn(view.tz);
  const q = d.query;
  const filters = Object.entries(q)
    .filter(([k, v]) => v && k !== "cursor" && k !== "limit")
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join("");
  const bulk = filters
    ? `<form method="get" action="/admin/bulk" aria-label="Bulk action">${filters}<label>Every task matching this search: ${select("action", ["cancel", "retry", "pause", "resume"], undefined, "choose an action")}</label><button type="submit">Preview</button></form>`
    : "<p><small>Search first to act on every matching task at once (cancel, retry, pause, resume).</small></p>";
  const next = d.results.nextCursor
    ? `<a href="/admin/tasks?${new URLSearchParams({ ...q, cursor: d.results.nextCursor }).toString().replace(/&/g, "&amp;")}">Next page →</a>`
    : "";
  const body = `<section aria-labelledby="search"><h2 id="search">Search</h2>${searchForm(q, d.channels)}${bulk}
${table(
  ["Task", "Owner", "Status", "Channel", "Next run", "Schedule", "Why held", "Created"],
  d.results.tasks.map((t) => taskRow(t, "/admin/tasks", false, when)),
  "No tasks match.",
)}${next}</section>`;
  return layout("Tasks", body, flash, view);
}

/** One task: fields, actions, runs, deliveries, the messages that created it, and its audit trail. */
export function detailPage(d: TaskDetail, flash: { msg?: string; err?: string }, view: View = { tz: "UTC" }): string {
  const when = formatIn(view.tz);
  const t = d.task;
  const back = `/admin/tasks/${t.id}`;
  const owner = t.user.name ?? t.user.slackUserId ?? t.user.consoleName ?? t.user.email ?? t.user.phone ?? t.user.id;
  const fields: [string, string][] = [
    ["Status", t.status],
    ["Owner", owner],
    ["Channel", `${t.channel}${t.audience ? ` → ${t.audience}` : ""}`],
    ["Instruction", t.instruction],
    [
      "When",
      t.rrule
        ? `${describeSchedule(t.rrule, t.timezone, t.dtstart)} — ${t.rrule}, from ${when(t.dtstart)}`
        : when(t.runAt),
    ],
    ["Cut-off", t.usefulForMs ? `${t.usefulForMs / 60_000} minutes after each occurrence` : "the server's default"],
    ["Next run", when(t.nextRunAt)],
    ["Why held", t.approvalReason ?? "—"],
    ["Runs", String(t.runCount)],
    ["Created", when(t.createdAt)],
    ["Id", t.id],
  ];
  const reschedule =
    t.status === "cancelled" || t.status === "rejected" || t.status === "completed"
      ? ""
      : `<form method="post" action="/admin/tasks/${h(t.id)}/reschedule"><input type="hidden" name="back" value="${h(back)}">
<label>new time <input name="runAt" placeholder="2026-11-25T09:00Z"></label> or <label>RRULE <input name="rrule" placeholder="FREQ=DAILY;BYHOUR=9;BYMINUTE=0"></label><button type="submit">Reschedule</button></form>
<form method="post" action="/admin/tasks/${h(t.id)}/cutoff"><input type="hidden" name="back" value="${h(back)}"><label>give up failures after <input name="minutes" size="5" placeholder="60"> minutes</label><button type="submit">Set cut-off</button></form>`;
  const body = `<table>${fields.map(([k, v]) => `<tr><th>${h(k)}</th><td><pre>${h(v)}</pre></td></tr>`).join("")}</table>
<h2>Actions</h2><p>${
    actionsFor(t)
      .map((a) =>
        actionForm(t.id, a, back, a === "reject" ? `<input name="reason" placeholder="reason (optional)">` : ""),
      )
      .join("") || "None: the task is finished."
  }</p>${reschedule}
<h2>Runs</h2>${table(
    ["Occurrence", "Status", "Attempt", "Late", "Finished", "Took", "Output / error"],
    d.runs.map(
      (r) =>
        `<tr><td>${when(r.occurrence)}</td><td class="status">${h(r.status)}</td><td>${r.attempt}</td><td>${r.lateMs ?? "—"} ms</td><td>${when(r.finishedAt)}</td><td>${r.finishedAt ? `${r.finishedAt.getTime() - r.startedAt.getTime()} ms` : "—"}</td><td><pre>${h((r.error ?? r.output ?? "").slice(0, 500))}</pre></td></tr>`,
    ),
    "No runs yet.",
  )}
<h2>Deliveries</h2>${table(
    ["Created", "Channel", "Recipient", "Status", "Attempts", "Error"],
    d.deliveries.map(
      (x) =>
        `<tr><td>${when(x.createdAt)}</td><td>${h(x.channel)}</td><td>${h(x.recipient)}</td><td class="status">${h(x.status)}</td><td>${x.attempts}</td><td>${h(x.error ?? "")}</td></tr>`,
    ),
    "No deliveries.",
  )}
<h2>Messages that created it</h2>${table(
    ["At", "Channel", "Message"],
    d.messages.map(
      (m) => `<tr><td>${when(m.createdAt)}</td><td>${h(m.channel)}</td><td><pre>${h(m.body)}</pre></td></tr>`,
    ),
    "No messages recorded (created by an operator or the API).",
  )}
<h2>Audit</h2>${table(
    ["At", "Actor", "Action", "Before → after"],
    d.audit.map(
      (a) =>
        `<tr><td>${when(a.at)}</td><td>${h(a.actor)}</td><td>${h(a.action)}</td><td><pre>${h(JSON.stringify(a.before))} → ${h(JSON.stringify(a.after))}</pre></td></tr>`,
    ),
    "No admin actions yet.",
  )}`;
  return layout(t.title, body, flash, view);
}
