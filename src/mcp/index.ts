import type { IncomingMessage, ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import {
  type AdminCredentials,
  type AdminDeps,
  applyBulk,
  authenticate,
  getTaskDetail,
  historyReport,
  historyReportText,
  listRuns,
  listTasks,
  ownerLabel,
  parseFilters,
  parseReportWindow,
  parseRunFilters,
  performAction,
  previewBulk,
} from "../admin/index.js";
import { HeraldError } from "../errors/index.js";
import type { HttpServer } from "../http/index.js";
import type { Logger } from "../log/index.js";
import { loadSitrep, parseWindow, type SitrepSource, sitrepText } from "../ops/index.js";

/**
 * Herald's admin operations as MCP tools (the official SDK), for agents that drive background tasks:
 * over stdio (`herald mcp`) and streamable HTTP (POST /mcp, behind the admin token as a bearer token).
 * Each tool calls the same functions as the admin API, so the task rules and the audit log hold; the
 * actor is who authenticated ("admin:mcp" for ADMIN_TOKEN, "admin:<name>" for a named token).
 */
export interface McpDeps extends AdminDeps {
  source: SitrepSource;
  channels: readonly string[];
}

type Text = { content: { type: "text"; text: string }[]; isError?: boolean };

const text = (v: unknown): Text => ({
  content: [{ type: "text", text: typeof v === "string" ? v : JSON.stringify(v, null, 2) }],
});

/** Runs a tool body; a refusal by the rules (or a bad argument) is the tool's error result, not a crash. */
async function tool(fn: () => Promise<unknown>): Promise<Text> {
  try {
    return text(await fn());
  } catch (err) {
    if (err instanceof HeraldError) return { ...text(`${err.code}: ${err.message}`), isError: true };
    throw err;
  }
}

const filters = {
  status: z
    .string()
    .optional()
    .describe("scheduled, pending_approval, paused, running, completed, failed, cancelled, rejected"),
  user: z.string().optional().describe("user id, Slack id, console name, email, phone or name"),
  channel: z.string().optional(),
  text: z.string().optional().describe("substring of the title or instruction"),
};
const taskId = { taskId: z.string().describe("the task's id (list_tasks shows them)") };

/** A server with Herald's tools, acting as `actor`. */
export function createMcpServer(d: McpDeps, actor: string): McpServer {
  const server = new McpServer({ name: "herald", version: "0.1.0" });
  const act = (action: Parameters<typeof performAction>[1]["action"], id: string, more = {}) =>
    performAction(d, { action, taskId: id, actor, ...more });

  server.registerTool(
    "list_tasks",
    {
      description: "Tasks newest first, filtered; pass nextCursor back as cursor for more.",
      inputSchema: { ...filters, limit: z.number().int().min(1).max(200).optional(), cursor: z.string().optional() },
    },
    (a) =>
      tool(async () => {
        const page = await listTasks(d, parseFilters({ ...a, limit: a.limit?.toString() }, d.channels));
        return {
          tasks: page.tasks.map((t) => ({
            id: t.id,
            title: t.title,
            status: t.status,
            channel: t.channel,
            owner: ownerLabel(t.user),
            nextRunAt: t.nextRunAt,
            rrule: t.rrule,
          })),
          nextCursor: page.nextCursor,
        };
      }),
  );
  server.registerTool(
    "task_status",
    {
      description: "One task: its status, schedule, last runs with their results and errors, and deliveries.",
      inputSchema: taskId,
    },
    (a) =>
      tool(async () => {
        const t = await getTaskDetail(d, a.taskId);
        if (!t) throw new HeraldError("herald_task_not_found", `No task ${a.taskId}.`);
        return {
          task: t.task,
          lastResult: t.runs.find((r) => r.status === "succeeded")?.output ?? null,
          runs: t.runs.slice(0, 10),
          deliveries: t.deliveries.slice(0, 10),
        };
      }),
  );
  server.registerTool("cancel_task", { description: "Cancel a task.", inputSchema: taskId }, (a) =>
    tool(() => act("cancel", a.taskId)),
  );
  server.registerTool(
    "run_task_now",
    { description: "Run a task now (a recurring one gets a one-off copy; its schedule stays).", inputSchema: taskId },
    (a) => tool(() => act("run", a.taskId)),
  );
  server.registerTool(
    "reschedule_task",
    {
      description: "Move a task to a one-off time (runAt, ISO) or a recurrence (rrule, RFC 5545, optional dtstart).",
      inputSchema: {
        ...taskId,
        runAt: z.string().optional(),
        rrule: z.string().optional(),
        dtstart: z.string().optional(),
      },
    },
    (a) =>
      tool(() =>
        act("reschedule", a.taskId, {
          runAt: a.runAt ? new Date(a.runAt) : undefined,
          rrule: a.rrule,
          dtstart: a.dtstart ? new Date(a.dtstart) : undefined,
        }),
      ),
  );
  server.registerTool(
    "retry_failed",
    { description: "Run a task whose last run failed again, now.", inputSchema: taskId },
    (a) => tool(() => act("retry", a.taskId)),
  );
  server.registerTool(
    "bulk_cancel",
    {
      description:
        "Cancel every task a filter matches. Without confirm it only counts them; call again with confirm set to that count to cancel.",
      inputSchema: { ...filters, confirm: z.number().int().min(0).optional() },
    },
    ({ confirm, ...f }) =>
      tool(async () => {
        const { limit: _l, cursor: _c, ...parsed } = parseFilters(f, d.channels);
        if (confirm === undefined) return previewBulk(d, "cancel", parsed);
        return applyBulk(d, { action: "cancel", filters: parsed, confirm, actor });
      }),
  );
  server.registerTool(
    "list_runs",
    {
      description: "The history of executions across tasks, newest first, with durations and errors.",
      inputSchema: {
        status: z.string().optional(),
        user: z.string().optional(),
        taskId: z.string().optional(),
        from: z.string().optional(),
        to: z.string().optional(),
        error: z.string().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      },
    },
    (a) => tool(() => listRuns(d, parseRunFilters({ ...a, limit: a.limit?.toString() }, d.channels))),
  );
  server.registerTool(
    "history_report",
    {
      description:
        "What happened over a window (window such as 24h or 7d, or from/to): outcomes, success rate, durations, errors.",
      inputSchema: { window: z.string().optional(), from: z.string().optional(), to: z.string().optional() },
    },
    (a) => tool(async () => historyReportText(await historyReport(d, parseReportWindow(a, new Date())))),
  );
  server.registerTool(
    "sitrep",
    {
      description: "The operations report: tasks, runs, lateness, queues, workers, failures.",
      inputSchema: { window: z.enum(["1h", "24h", "7d"]).optional() },
    },
    (a) => tool(async () => sitrepText(await loadSitrep(d.source, parseWindow(a.window ?? "24h") ?? "24h"))),
  );
  return server;
}

/**
 * Mounts streamable HTTP at /mcp, stateless (a server per request), behind the admin token. GET and DELETE
 * (server-initiated streams, sessions) are not offered.
 */
export function mountMcp(http: HttpServer, d: McpDeps & AdminCredentials & { logger: Logger }): void {
  const reply = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
  };
  http.route("POST", "/mcp", async (req: IncomingMessage & { rawBody: Buffer }, res) => {
    const auth = authenticate(req, d, "mcp");
    if (auth.status === "off") return reply(res, 503, "MCP is off: set ADMIN_TOKEN and restart Herald.");
    if (auth.status === "denied") return reply(res, 401, "Send Authorization: Bearer <ADMIN_TOKEN>.");
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return reply(res, 400, "The body must be JSON-RPC.");
    }
    const { StreamableHTTPServerTransport: Transport } = await import(
      "@modelcontextprotocol/sdk/server/streamableHttp.js"
    );
    const server = createMcpServer(d, auth.actor);
    const transport = new Transport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  for (const method of ["GET", "DELETE"])
    http.route(method, "/mcp", (_req, res) => reply(res, 405, "Herald's MCP endpoint is stateless: POST only."));
}

/** Serves the tools over stdio until the input closes (`herald mcp`). */
export async function serveMcpStdio(d: McpDeps, actor: string): Promise<void> {
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const server = createMcpServer(d, actor);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
