import { userInfo } from "node:os";
import type { Command } from "commander";
import type { AdminAction } from "../../admin/index.js";
import { CHANNEL_NAMES } from "../../channels/index.js";
import { HeraldError } from "../../errors/index.js";
import { createLogger } from "../../log/index.js";
import { type Runtime, startRuntime } from "../index.js";
import { config, fail } from "./run.js";

/**
 * `herald sitrep`, `herald tasks list|show|<action>|bulk`, `herald runs list|report`: the admin API's
 * reads and actions from a terminal (the same functions, so the same rules and audit entries).
 * Each command opens a Runtime without workers or HTTP, does one thing, prints, and exits.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const json = (v: unknown): void => out(JSON.stringify(v, null, 2));
const utc = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")}Z` : "-");

/** What the admin actions need of a runtime. */
const admin = (rt: Runtime) => ({
  prisma: rt.db.prisma,
  tasks: rt.tasks,
  tellOwner: rt.tellOwner,
  outbox: rt.deliveryControl,
  channels: CHANNEL_NAMES,
});
const ms = (v: number | null) => (v === null ? "-" : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

/** The task filter options shared by `tasks list` and `tasks bulk`. */
function taskFilterOptions(c: Command): Command {
  return c
    .option(
      "--status <status>",
      "scheduled, pending_approval, paused, running, completed, failed, cancelled or rejected",
    )
    .option("--user <user>", "user id, Slack id, console name, email, phone or name")
    .option("--channel <channel>", CHANNEL_NAMES.join(", "))
    .option("--text <text>", "substring of the title or instruction")
    .option("--due-from <iso>", "next run at or after")
    .option("--due-to <iso>", "next run before");
}
const filterArgs = (o: Record<string, string | boolean | undefined>) => ({
  status: o.status as string,
  user: o.user as string,
  channel: o.channel as string,
  text: o.text as string,
  dueFrom: o.dueFrom as string,
  dueTo: o.dueTo as string,
});

function actor(): string {
  try {
    return `cli:${userInfo().username || "unknown"}`;
  } catch {
    return "cli:unknown";
  }
}

type Ops = typeof import("../../admin/index.js") & typeof import("../../ops/index.js");

/**
 * Opens a Runtime (no workers, no HTTP), runs `fn` with the ops module (loaded here, so other commands
 * do not pay for it), closes, exits non-zero with one line on error.
 */
async function withRuntime(fn: (rt: Runtime, ops: Ops) => Promise<void>): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL === "info" ? "warn" : cfg.LOG_LEVEL, destination: 2 });
  let rt: Runtime | undefined;
  try {
    const ops = { ...(await import("../../admin/index.js")), ...(await import("../../ops/index.js")) };
    rt = await startRuntime(cfg, logger, { worker: false, http: false });
    await fn(rt, ops);
  } catch (err) {
    if (rt) await rt.close();
    fail(err);
  }
  await rt.close();
  process.exit(0);
}

function registerTasks(program: Command): void {
  const tasks = program.command("tasks").description("review and act on tasks (the admin's view)");
  taskFilterOptions(tasks.command("list").description("tasks newest first, filtered; --cursor pages on"))
    .option("--limit <n>", "page size (1-200)", "50")
    .option("--cursor <cursor>", "the nextCursor of the previous page")
    .option("--json", "print JSON")
    .action((o: Record<string, string | boolean | undefined>) =>
      withRuntime(async (rt, ops) => {
        const filters = ops.parseFilters(
          {
            ...filterArgs(o),
            limit: o.limit as string,
            cursor: o.cursor as string,
          },
          CHANNEL_NAMES,
        );
        const page = await ops.listTasks(admin(rt), filters);
        if (o.json) return json(page);
        if (page.tasks.length === 0) return out("No tasks match.");
        for (const t of page.tasks)
          out(
            `${t.id}  ${t.status.padEnd(16)} ${t.channel.padEnd(7)} next ${utc(t.nextRunAt).padEnd(17)}  ${t.title}  (${ops.ownerLabel(t.user)})`,
          );
        if (page.nextCursor) out(`more: --cursor ${page.nextCursor}`);
      }),
    );
  tasks
    .command("show <id>")
    .description("one task with its runs, deliveries, messages and audit trail")
    .option("--json", "print JSON")
    .action((id: string, o: { json?: boolean }) =>
      withRuntime(async (rt, ops) => {
        const d = await ops.getTaskDetail(admin(rt), id);
        if (!d) throw new HeraldError("herald_task_not_found", `No task ${id}. \`herald tasks list\` shows the ids.`);
        if (o.json) return json(d);
        const t = d.task;
        out(
          `${t.title}\n  id ${t.id}\n  status ${t.status}${t.approvalReason ? ` (${t.approvalReason})` : ""}\n  channel ${t.channel}${t.audience ? ` -> ${t.audience}` : ""}\n  when ${t.rrule ? `${t.rrule} (${t.timezone})` : utc(t.runAt)}; next ${utc(t.nextRunAt)}\n  instruction ${t.instruction}`,
        );
        out(`runs (${d.runs.length}):`);
        for (const r of d.runs)
          out(
            `  ${utc(r.occurrence)} ${r.status} attempt ${r.attempt} late ${r.lateMs ?? "-"} ms ${r.error ? `error: ${r.error.slice(0, 200)}` : ""}`,
          );
        out(`deliveries (${d.deliveries.length}):`);
        for (const x of d.deliveries)
          out(`  ${utc(x.createdAt)} ${x.channel} ${x.status}${x.error ? ` error: ${x.error.slice(0, 200)}` : ""}`);
        out(`messages (${d.messages.length}):`);
        for (const m of d.messages) out(`  ${utc(m.createdAt)} ${m.body.slice(0, 200)}`);
      }),
    );
  type ActOptions = {
    reason?: string;
    json?: boolean;
    at?: string;
    rrule?: string;
    dtstart?: string;
    minutes?: string;
  };
  const act = (name: AdminAction, description: string, more: (c: Command) => Command = (c) => c) =>
    more(tasks.command(`${name} <id>`).description(description))
      .option("--json", "print JSON")
      .action((id: string, o: ActOptions) =>
        withRuntime(async (rt, ops) => {
          const r = await ops.performAction(admin(rt), {
            action: name,
            taskId: id,
            actor: actor(),
            reason: o.reason,
            runAt: ops.optionalDate(o.at, "--at"),
            rrule: o.rrule,
            dtstart: ops.optionalDate(o.dtstart, "--dtstart"),
            cutoffMinutes: o.minutes === "none" ? null : (ops.optionalInt(o.minutes, "--minutes") ?? null),
          });
          if (o.json) return json(r);
          out(r.message + (r.created ? ` (one-off copy ${r.created.id})` : ""));
        }),
      );
  const why = (c: Command) => c.option("--reason <text>", "why (kept in the audit log; the owner is told)");
  act("approve", "approve a task waiting for approval (its owner is told)");
  act("reject", "reject a task waiting for approval: it is rejected, with no next run (its owner is told)", why);
  act("cancel", "cancel a task");
  act("retry", "run a task whose last run failed again, now");
  act("run", "run a task now (a recurring task keeps its schedule)");
  act("pause", "pause a task (it does not fire until resumed)");
  act("resume", "resume a paused task");
  act("reschedule", "move a task: --at ISO for a one-off, or --rrule RULE [--dtstart ISO]", (c) =>
    c
      .option("--at <iso>", "the new one-off time")
      .option("--rrule <rule>", "an RFC 5545 rule such as FREQ=DAILY;BYHOUR=9;BYMINUTE=0")
      .option("--dtstart <iso>", "when the rule starts (default: this minute, so it fires at second 0)"),
  );
  act("cutoff", "give up a task's failing runs and messages this long after their time", (c) =>
    c.requiredOption("--minutes <n>", "minutes after an occurrence, or none for the server's LATE_CUTOFF_MS"),
  );

  taskFilterOptions(
    tasks
      .command("bulk <action>")
      .description(`cancel, retry, pause or resume every task a filter matches; shows the count, runs with --yes N`),
  )
    .option("--yes <count>", "run it, confirming the count shown without --yes")
    .option("--json", "print JSON")
    .action((action: string, o: Record<string, string | boolean | undefined>) =>
      withRuntime(async (rt, ops) => {
        const { limit: _l, cursor: _c, ...filters } = ops.parseFilters(filterArgs(o), CHANNEL_NAMES);
        const name = ops.bulkAction(action);
        if (o.yes === undefined) {
          const p = await ops.previewBulk(admin(rt), name, filters);
          if (o.json) return json(p);
          out(`${name} would act on ${p.count} task${p.count === 1 ? "" : "s"}:`);
          for (const t of p.sample) out(`  ${t.id}  ${t.status.padEnd(16)} ${t.title}`);
          if (p.count > p.sample.length) out(`  … and ${p.count - p.sample.length} more`);
          return out(`Run it with --yes ${p.count}`);
        }
        const confirm = ops.optionalInt(String(o.yes), "--yes");
        const r = await ops.applyBulk(admin(rt), { action: name, filters, confirm: confirm ?? -1, actor: actor() });
        if (o.json) return json(r);
        out(`${name}: ${r.done} done, ${r.refusedCount} refused (of ${r.matched}); bulk ${r.id}`);
        for (const x of r.refused) out(`  ${x.id}: ${x.reason}`);
      }),
    );
}

function registerRuns(program: Command): void {
  const runs = program.command("runs").description("the history of executions across tasks");
  runs
    .command("list")
    .description("runs newest first, with durations; --cursor pages on")
    .option("--status <status>", "running, succeeded, failed or skipped")
    .option("--channel <channel>", CHANNEL_NAMES.join(", "))
    .option("--user <user>", "user id, Slack id, console name, email, phone or name")
    .option("--task <id>", "one task's runs")
    .option("--from <iso>", "started at or after")
    .option("--to <iso>", "started before")
    .option("--error <text>", "substring of the error")
    .option("--limit <n>", "page size (1-200)", "50")
    .option("--cursor <cursor>", "the nextCursor of the previous page")
    .option("--json", "print JSON")
    .action((o: Record<string, string | boolean | undefined>) =>
      withRuntime(async (rt, ops) => {
        const f = ops.parseRunFilters(
          {
            status: o.status as string,
            channel: o.channel as string,
            user: o.user as string,
            taskId: o.task as string,
            from: o.from as string,
            to: o.to as string,
            error: o.error as string,
            limit: o.limit as string,
            cursor: o.cursor as string,
          },
          CHANNEL_NAMES,
        );
        const page = await ops.listRuns(admin(rt), f);
        if (o.json) return json(page);
        if (page.runs.length === 0) return out("No runs match.");
        for (const r of page.runs)
          out(
            `${utc(r.startedAt)}  ${r.status.padEnd(9)} ${ms(r.durationMs).padStart(8)}  ${r.channel.padEnd(7)} ${r.title}${r.deliveries.length ? ` [${r.deliveries.map((x) => `${x.channel} ${x.status}`).join(", ")}]` : ""}${r.error ? `\n    ${r.error}` : ""}`,
          );
        if (page.nextCursor) out(`more: --cursor ${page.nextCursor}`);
      }),
    );
  runs
    .command("report")
    .description("what happened over a window: outcomes, success rate, durations, lateness, commonest errors")
    .option("--window <length>", "90m, 24h, 7d, 30d …", "24h")
    .option("--from <iso>", "start (instead of --window)")
    .option("--to <iso>", "end (default: now)")
    .option("--json", "print JSON")
    .action((o: { window: string; from?: string; to?: string; json?: boolean }) =>
      withRuntime(async (rt, ops) => {
        const r = await ops.historyReport(
          admin(rt),
          ops.parseReportWindow({ window: o.window, from: o.from, to: o.to }, new Date()),
        );
        if (o.json) return json(r);
        out(ops.historyReportText(r));
      }),
    );
}

/** `herald sitrep` and `herald tasks …`. */
export function registerOps(program: Command): void {
  program
    .command("mcp")
    .description("serve the admin operations as MCP tools over stdio (needs ADMIN_TOKEN set, as /mcp does)")
    .action(() =>
      withRuntime(async (rt) => {
        if (!rt.config.ADMIN_TOKEN && !rt.config.ADMIN_TOKENS?.length)
          throw new HeraldError("herald_mcp_off", "MCP is off: set ADMIN_TOKEN (as for /admin) to serve it.");
        const { serveMcpStdio } = await import("../../mcp/index.js");
        await serveMcpStdio(
          {
            prisma: rt.db.prisma,
            tasks: rt.tasks,
            tellOwner: rt.tellOwner,
            source: rt.source,
            channels: CHANNEL_NAMES,
          },
          actor().replace(/^cli:/, "mcp:"),
        );
      }),
    );
  program
    .command("sitrep")
    .description("the operations report: tasks, runs, lateness, queues, failures, deliveries, LLM use")
    .option("--window <window>", "1h, 24h or 7d", "24h")
    .option("--json", "print JSON")
    .action((o: { window: string; json?: boolean }) =>
      withRuntime(async (rt, ops) => {
        const window = ops.parseWindow(o.window);
        if (!window)
          throw new HeraldError("herald_cli_bad_window", `--window must be 1h, 24h or 7d (got "${o.window}")`);
        const s = await ops.loadSitrep(rt.source, window);
        if (o.json) json(s);
        else out(ops.sitrepText(s));
      }),
    );
  registerTasks(program);
  registerRuns(program);
  registerDeliveries(program);
}

function registerDeliveries(program: Command): void {
  const deliveries = program.command("deliveries").description("failed messages, and sending them again");
  deliveries
    .command("failed")
    .description("deliveries that failed for good or that the carrier reported undelivered, newest first")
    .option("--json", "print JSON")
    .action((o: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const rows = await rt.db.prisma.delivery.findMany({
          where: { status: { in: ["failed", "undelivered"] } },
          orderBy: { updatedAt: "desc" },
          take: 200,
        });
        if (o.json) return json(rows);
        if (rows.length === 0) return out("No failed deliveries.");
        for (const r of rows)
          out(
            `${r.id}  ${utc(r.updatedAt)}  ${r.channel.padEnd(7)} ${r.status.padEnd(11)} ${r.recipient}  ${r.error ?? ""}`,
          );
      }),
    );
  deliveries
    .command("resend [ids...]")
    .description("send failed deliveries again (the same text; the task is not run again): by id, or by filter")
    .option("--channel <channel>", CHANNEL_NAMES.join(", "))
    .option("--task <id>", "one task's failed deliveries")
    .option("--since <iso>", "failed at or after")
    .action((ids: string[], o: { channel?: string; task?: string; since?: string }) =>
      withRuntime(async (rt, ops) => {
        const r = await ops.resendFailed(
          admin(rt),
          {
            ids: ids.length ? ids : undefined,
            channel: o.channel,
            taskId: o.task,
            since: ops.optionalDate(o.since, "--since"),
          },
          actor(),
        );
        out(r.message);
      }),
    );
  const channels = program.command("channels").description("pause a channel during a provider incident");
  for (const verb of ["pause", "resume"] as const)
    channels
      .command(`${verb} <channel>`)
      .description(
        verb === "pause"
          ? "hold the channel's messages (they wait as held) until it is resumed"
          : "resume a paused channel: its held messages go out",
      )
      .option("--reason <text>", "why (kept in the audit log)")
      .action((name: string, o: { reason?: string }) =>
        withRuntime(async (rt, ops) => {
          const r = await ops.setChannelPaused(admin(rt), {
            channel: name,
            paused: verb === "pause",
            actor: actor(),
            reason: o.reason,
          });
          out(r.message);
        }),
      );
}
