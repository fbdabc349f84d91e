import { userInfo } from "node:os";
import type { Command } from "commander";
import type { AdminAction } from "../../admin/index.js";
import { CHANNEL_NAMES } from "../../channels/index.js";
import { HeraldError } from "../../errors/index.js";
import { createLogger } from "../../log/index.js";
import { type Runtime, startRuntime } from "../index.js";
import { config, fail } from "./run.js";

/**
 * `herald sitrep [--window 24h] [--json]` and `herald tasks list|show|approve|reject|cancel|retry|run [--json]`.
 * Each command opens a Runtime without workers or HTTP, does one thing, prints, and exits.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const json = (v: unknown): void => out(JSON.stringify(v, null, 2));
const utc = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")}Z` : "-");

/** What the admin actions need of a runtime. */
const admin = (rt: Runtime) => ({ prisma: rt.db.prisma, tasks: rt.tasks });

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
  tasks
    .command("list")
    .description("tasks newest first, filtered; --cursor pages on")
    .option("--status <status>", "scheduled, pending_approval, paused, running, completed, failed, cancelled or rejected")
    .option("--user <user>", "user id, Slack id, console name, email, phone or name")
    .option("--channel <channel>", "console, sms, email or slack")
    .option("--text <text>", "substring of the title or instruction")
    .option("--due-from <iso>", "next run at or after")
    .option("--due-to <iso>", "next run before")
    .option("--limit <n>", "page size (1-200)", "50")
    .option("--cursor <cursor>", "the nextCursor of the previous page")
    .option("--json", "print JSON")
    .action((o: Record<string, string | boolean | undefined>) =>
      withRuntime(async (rt, ops) => {
        const filters = ops.parseFilters(
          {
            status: o.status as string,
            user: o.user as string,
            channel: o.channel as string,
            text: o.text as string,
            dueFrom: o.dueFrom as string,
            dueTo: o.dueTo as string,
            limit: o.limit as string,
            cursor: o.cursor as string,
          },
          CHANNEL_NAMES,
        );
        const page = await ops.listTasks(admin(rt), filters);
        if (o.json) return json(page);
        if (page.tasks.length === 0) return out("No tasks match.");
        for (const t of page.tasks)
          out(`${t.id}  ${t.status.padEnd(16)} ${t.channel.padEnd(7)} next ${utc(t.nextRunAt).padEnd(17)}  ${t.title}`);
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
  const act = (name: AdminAction, description: string) =>
    tasks
      .command(`${name} <id>`)
      .description(description)
      .option("--reason <text>", "why (kept in the audit log)")
      .option("--json", "print JSON")
      .action((id: string, o: { reason?: string; json?: boolean }) =>
        withRuntime(async (rt, ops) => {
          const r = await ops.performAction(admin(rt), { action: name, taskId: id, actor: actor(), reason: o.reason });
          if (o.json) return json(r);
          out(r.message + (r.created ? ` (one-off copy ${r.created.id})` : ""));
        }),
      );
  act("approve", "approve a task waiting for approval");
  act("reject", "reject a task waiting for approval");
  act("cancel", "cancel a task");
  act("retry", "run a task whose last run failed again, now");
  act("run", "run a task now (a recurring task keeps its schedule)");
}

/** `herald sitrep` and `herald tasks …`. */
export function registerOps(program: Command): void {
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
}
