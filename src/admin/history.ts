import type { Prisma } from "../db/index.js";
import { cut } from "../ops/index.js";
import { type AdminDeps, OWNER_FIELDS, type Owner, taskWhere } from "./actions.js";
import { encodeCursor, type RunFilters } from "./query.js";

/**
 * The history of executions across tasks (the runs), with their durations and what became of their
 * messages, and a report over a window: the API, the CLI, the page and the MCP tools read these.
 */

export interface RunRow {
  id: string;
  taskId: string;
  title: string;
  owner: Owner;
  channel: string;
  occurrence: Date;
  status: string;
  attempt: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** finishedAt − startedAt; null while running. */
  durationMs: number | null;
  lateMs: number | null;
  /** Cut to 200 characters. */
  error: string | null;
  deliveries: { id: string; channel: string; status: string; error: string | null }[];
}

/** A page of runs, newest first, and the cursor of the next page (null on the last). */
export async function listRuns(
  d: Pick<AdminDeps, "prisma">,
  f: RunFilters,
): Promise<{ runs: RunRow[]; nextCursor: string | null }> {
  const where: Prisma.TaskRunWhereInput = {};
  if (f.status) where.status = f.status;
  if (f.taskId) where.taskId = f.taskId;
  if (f.channel || f.user) where.task = await taskWhere(d, { channel: f.channel, user: f.user });
  if (f.from || f.to) where.startedAt = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) };
  if (f.error) where.error = { contains: f.error, mode: "insensitive" };
  if (f.cursor) {
    const c = f.cursor;
    where.AND = [{ OR: [{ startedAt: { lt: c.createdAt } }, { startedAt: c.createdAt, id: { lt: c.id } }] }];
  }
  const rows = await d.prisma.taskRun.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: f.limit + 1,
    include: {
      task: { select: { title: true, channel: true, user: { select: OWNER_FIELDS } } },
      deliveries: { select: { id: true, channel: true, status: true, error: true } },
    },
  });
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    runs: page.map((r) => ({
      id: r.id,
      taskId: r.taskId,
      title: r.task.title,
      owner: r.task.user,
      channel: r.task.channel,
      occurrence: r.occurrence,
      status: r.status,
      attempt: r.attempt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
      lateMs: r.lateMs,
      error: r.error ? cut(r.error.replace(/\s+/g, " ").trim(), 200) : null,
      deliveries: r.deliveries.map((x) => ({ ...x, error: x.error ? cut(x.error, 200) : null })),
    })),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.startedAt, last.id) : null,
  };
}

/** What happened over a window: runs and deliveries by outcome, durations, lateness, the commonest errors. */
export interface HistoryReport {
  from: string;
  to: string;
  runs: { total: number; byStatus: Record<string, number>; byChannel: Record<string, Record<string, number>> };
  /** Succeeded over finished runs (a run whose messages all failed is failed); null when none finished. */
  successRate: number | null;
  durationMs: { p50: number | null; p95: number | null; max: number | null };
  lateMs: { p50: number | null; p95: number | null; max: number | null };
  deliveries: { total: number; byChannel: Record<string, Record<string, number>>; failed: number };
  errors: { kind: "run" | "delivery"; error: string; count: number; lastAt: string }[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));

/** The history report of runs started and deliveries created in [from, to). */
export async function historyReport(d: Pick<AdminDeps, "prisma">, w: { from: Date; to: Date }): Promise<HistoryReport> {
  const p = d.prisma;
  const [byStatus, stats, deliveries, runErrors, deliveryErrors] = await Promise.all([
    p.$queryRaw<{ channel: string; status: string; n: number }[]>`
      SELECT t.channel, r.status::text AS status, count(*)::int AS n FROM task_runs r JOIN tasks t ON t.id = r.task_id
       WHERE r.started_at >= ${w.from} AND r.started_at < ${w.to} GROUP BY 1, 2`,
    p.$queryRaw<Record<string, number | null>[]>`
      SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS d50, percentile_disc(0.95) WITHIN GROUP (ORDER BY d) AS d95, max(d) AS dmax,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY late_ms) AS l50, percentile_disc(0.95) WITHIN GROUP (ORDER BY late_ms) AS l95, max(late_ms) AS lmax
        FROM (SELECT extract(epoch FROM finished_at - started_at) * 1000 AS d, late_ms FROM task_runs
               WHERE started_at >= ${w.from} AND started_at < ${w.to}) x`,
    p.$queryRaw<{ channel: string; status: string; n: number }[]>`
      SELECT channel, status::text AS status, count(*)::int AS n FROM deliveries
       WHERE created_at >= ${w.from} AND created_at < ${w.to} GROUP BY 1, 2`,
    p.$queryRaw<{ error: string; n: number; last: Date }[]>`
      SELECT left(regexp_replace(error, '\\s+', ' ', 'g'), 200) AS error, count(*)::int AS n, max(started_at) AS last FROM task_runs
       WHERE status = 'failed' AND started_at >= ${w.from} AND started_at < ${w.to} GROUP BY 1 ORDER BY 2 DESC, 3 DESC LIMIT 10`,
    p.$queryRaw<{ error: string; n: number; last: Date }[]>`
      SELECT channel || ': ' || left(regexp_replace(COALESCE(error, status::text), '\\s+', ' ', 'g'), 200) AS error, count(*)::int AS n, max(updated_at) AS last
        FROM deliveries WHERE status IN ('failed', 'undelivered') AND created_at >= ${w.from} AND created_at < ${w.to}
       GROUP BY 1 ORDER BY 2 DESC, 3 DESC LIMIT 10`,
  ]);
  const runsBy: Record<string, number> = {};
  const runsByChannel: Record<string, Record<string, number>> = {};
  for (const r of byStatus) {
    runsBy[r.status] = (runsBy[r.status] ?? 0) + r.n;
    (runsByChannel[r.channel] ??= {})[r.status] = r.n;
  }
  const deliveriesBy: Record<string, Record<string, number>> = {};
  let deliveriesTotal = 0;
  let deliveriesFailed = 0;
  for (const r of deliveries) {
    (deliveriesBy[r.channel] ??= {})[r.status] = r.n;
    deliveriesTotal += r.n;
    if (r.status === "failed" || r.status === "undelivered") deliveriesFailed += r.n;
  }
  const s = stats[0] ?? {};
  const ok = runsBy.succeeded ?? 0;
  const failed = runsBy.failed ?? 0;
  const errors = [
    ...runErrors.map((e) => ({ kind: "run" as const, ...e })),
    ...deliveryErrors.map((e) => ({ kind: "delivery" as const, ...e })),
  ]
    .sort((a, b) => b.n - a.n || b.last.getTime() - a.last.getTime())
    .slice(0, 10)
    .map((e) => ({
      kind: e.kind,
      error: cut(e.error ?? "(no error recorded)", 200),
      count: e.n,
      lastAt: e.last.toISOString(),
    }));
  return {
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    runs: { total: Object.values(runsBy).reduce((a, b) => a + b, 0), byStatus: runsBy, byChannel: runsByChannel },
    successRate: ok + failed === 0 ? null : ok / (ok + failed),
    durationMs: { p50: num(s.d50), p95: num(s.d95), max: num(s.dmax) },
    lateMs: { p50: num(s.l50), p95: num(s.l95), max: num(s.lmax) },
    deliveries: { total: deliveriesTotal, byChannel: deliveriesBy, failed: deliveriesFailed },
    errors,
  };
}

const pct = (r: number | null) => (r === null ? "n/a" : `${(r * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "n/a" : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);
const counts = (by: Record<string, number>) =>
  Object.entries(by)
    .map(([k, n]) => `${k} ${n}`)
    .join(" · ") || "none";

/** The report as plain text (CLI, MCP). */
export function historyReportText(r: HistoryReport): string {
  return [
    `Herald history ${r.from.slice(0, 16).replace("T", " ")} → ${r.to.slice(0, 16).replace("T", " ")} UTC`,
    `Runs: ${r.runs.total} — ${counts(r.runs.byStatus)}; success rate ${pct(r.successRate)}`,
    ...Object.entries(r.runs.byChannel).map(([c, by]) => `  ${c}: ${counts(by)}`),
    `Duration: p50 ${ms(r.durationMs.p50)} · p95 ${ms(r.durationMs.p95)} · max ${ms(r.durationMs.max)}`,
    `Lateness: p50 ${ms(r.lateMs.p50)} · p95 ${ms(r.lateMs.p95)} · max ${ms(r.lateMs.max)}`,
    `Deliveries: ${r.deliveries.total} (${r.deliveries.failed} failed or undelivered)`,
    ...Object.entries(r.deliveries.byChannel).map(([c, by]) => `  ${c}: ${counts(by)}`),
    `Commonest errors:${r.errors.length ? "" : " none"}`,
    ...r.errors.map((e) => `  ${e.count}× ${e.kind}: ${e.error}`),
  ].join("\n");
}
