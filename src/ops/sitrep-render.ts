import { formatDistance } from "../time/index.js";
import type { QueueCounts, Sitrep } from "./sitrep.js";

/** Renders a Sitrep as plain text (CLI, SMS-like channels) and as Slack Block Kit. Pure. */

const num = (n: number) => n.toLocaleString("en-US");
const pct = (r: number | null) => (r === null ? "n/a" : `${(r * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "n/a" : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);
const capped = (n: number, c: boolean) => `${num(n)}${c ? "+" : ""}`;
const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** Escapes text for Slack mrkdwn (user-controlled titles and errors must not become links or mentions). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function countsLine(by: Record<string, number>): string {
  const parts = Object.entries(by)
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => `${k.replace("_", " ")} ${num(n)}`);
  return parts.length ? parts.join(" · ") : "none";
}

function queueLine(q: QueueCounts): string {
  return `waiting ${num(q.waiting)} · delayed ${num(q.delayed)} · active ${num(q.active)} · failed ${num(q.failed)}`;
}

/** The lines of the report, shared by text and blocks. `esc` escapes user-controlled text. */
function sections(
  s: Sitrep,
  esc: (t: string) => string,
  bold: (t: string) => string,
): { title: string; body: string }[] {
  const now = new Date(s.at);
  const runs = s.runs.byStatus;
  const late = s.lateness;
  const sample =
    late.sample >= late.sampleLimit
      ? `the last ${num(late.sample)} runs`
      : `${num(late.sample)} run${late.sample === 1 ? "" : "s"}`;
  const deliveries = Object.entries(s.deliveries.byChannel).map(([ch, by]) => `${ch}: ${countsLine(by)}`);
  const noWorker = s.workers.fire === 0 ? " ⚠️ no fire worker is running" : "";
  const processes = s.workers.processes.map(
    (p) =>
      `• ${esc(p.host)} pid ${p.pid} (${p.roles}) — started ${utc(p.startedAt)}, heartbeat ${formatDistance(new Date(p.heartbeatAt), now)}, ${num(p.inFlight)} in flight, ${num(p.processed)} processed`,
  );
  const recent = s.recent.map(
    (r) =>
      `• ${utc(r.startedAt)} ${bold(esc(r.title))} ${r.status}${r.finishedAt ? `, finished ${utc(r.finishedAt)} (${ms(r.durationMs)})` : ", still running"}${r.error ? `: ${esc(r.error)}` : ""}`,
  );
  return [
    { title: "Tasks", body: `${num(s.tasks.total)} stored — ${countsLine(s.tasks.byStatus)}` },
    {
      title: `Runs (${s.window})`,
      body: `${num(s.runs.total)} — succeeded ${num(runs.succeeded ?? 0)} · failed ${num(runs.failed ?? 0)} · skipped ${num(runs.skipped ?? 0)} · running ${num(runs.running ?? 0)}; success rate ${pct(s.runs.successRate)}`,
    },
    {
      title: "Firing lateness",
      body: late.sample
        ? `p50 ${ms(late.p50Ms)} · p95 ${ms(late.p95Ms)} · max ${ms(late.maxMs)} (${sample})`
        : "no runs in the window",
    },
    {
      title: "Due",
      body: [
        `${capped(s.due.next24h, s.due.next24hCapped)} in the next 24 hours; backlog ${capped(s.backlog.count, s.backlog.capped)} due but not started${s.backlog.oldestAt ? ` (oldest due ${utc(s.backlog.oldestAt)})` : ""}`,
        ...s.due.next.map((t) => `• ${formatDistance(new Date(t.at), now)}: ${esc(t.title)} (${t.channel})`),
      ].join("\n"),
    },
    {
      title: "Queues",
      body: `fire: ${queueLine(s.queues.fire)}\ndeliver: ${queueLine(s.queues.deliver)}${noWorker}`,
    },
    {
      title: `Workers (${s.workers.processes.length})`,
      body: processes.length ? processes.join("\n") : "none has reported a heartbeat in the last minute",
    },
    ...(s.approvals.overdue
      ? [
          {
            title: "Approvals overdue",
            body: [
              `${num(s.approvals.overdue)} held past their due time: approve or reject them (/admin)`,
              ...s.approvals.oldest.map((a) => `• due ${utc(a.dueAt)}: ${esc(a.title)}`),
            ].join("\n"),
          },
        ]
      : []),
    { title: "Recent runs", body: recent.length ? recent.join("\n") : "none" },
    {
      title: "Last failures",
      body: s.failures.length
        ? s.failures
            .map(
              (f) =>
                `• ${utc(f.at)} ${f.kind === "run" ? `run of ${bold(esc(f.title ?? f.taskId ?? f.id))}` : `${f.channel} delivery ${f.id.slice(0, 8)}${f.title ? ` of ${bold(esc(f.title))}` : ""}`}: ${esc(f.error)}`,
            )
            .join("\n")
        : "none",
    },
    {
      title: `Deliveries (${s.window})`,
      body: deliveries.length ? `${deliveries.join("\n")}\nreached: ${pct(s.deliveries.deliveredRate)}` : "none",
    },
    {
      title: `LLM (${s.window})`,
      body: `${num(s.llm.calls)} calls (${num(s.llm.failed)} failed), ${num(s.llm.tokens)} tokens, ~$${s.llm.costUsd.toFixed(2)}`,
    },
  ];
}

/** The header line. */
export function sitrepTitle(s: Sitrep): string {
  return `Herald sitrep — last ${s.window} (since ${utc(s.since)})`;
}

/** Plain text, one section per paragraph. */
export function sitrepText(s: Sitrep): string {
  return [
    sitrepTitle(s),
    ...sections(
      s,
      (t) => t,
      (t) => t,
    ).map((x) => `${x.title}: ${x.body}`),
  ].join("\n");
}

/** Slack Block Kit: a header, one section per part, and a context line with the time. */
export function sitrepBlocks(s: Sitrep): unknown[] {
  return [
    { type: "header", text: { type: "plain_text", text: sitrepTitle(s).slice(0, 150) } },
    ...sections(s, escapeMrkdwn, (t) => `*${t}*`).map((x) => ({
      type: "section",
      text: { type: "mrkdwn", text: `*${x.title}*\n${x.body}`.slice(0, 3000) },
    })),
    {
      type: "context",
      elements: [
        { type: "mrkdwn", text: `Generated ${utc(s.at)} · \`/sitrep 1h|24h|7d\` · \`/sitrep subscribe daily 9am\`` },
      ],
    },
  ];
}
