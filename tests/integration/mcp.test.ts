import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { HERALD_BIN } from "../helpers/cli.js";
import { startTestRuntime, testDatabaseUrl, unique } from "../helpers/runtime.js";

const TOKEN = "mcp-admin-token-0123456789abc";

type ToolText = { content: { type: string; text: string }[]; isError?: boolean };
const textOf = (r: unknown) => (r as ToolText).content[0]!.text;

/** Herald's MCP tools, driven by the SDK's own client over streamable HTTP and stdio. */
describe("MCP server", () => {
  let rt: Runtime;
  let prefix: string;
  beforeAll(async () => {
    prefix = unique("mcp");
    rt = await startTestRuntime({
      env: { ADMIN_TOKEN: TOKEN, REDIS_PREFIX: prefix },
      parts: { worker: false, http: true },
    });
  });
  afterAll(async () => rt?.close());

  const httpClient = async (token = TOKEN) => {
    const client = new Client({ name: "herald-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${rt.port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    return client;
  };
  async function newTask(title: string) {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("mcp-user") } });
    return rt.tasks.create({
      userId: user.id,
      title,
      instruction: title,
      when: { runAt: new Date(Date.now() + 7_200_000) },
      timezone: "UTC",
      channel: "console",
    });
  }

  it("refuses a client without the admin token", async () => {
    await expect(httpClient("not-the-token-0123456789")).rejects.toThrow();
  });

  it("lists the admin tools, and lists, inspects, reschedules and cancels tasks over streamable HTTP", async () => {
    const client = await httpClient();
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        [
          "bulk_cancel",
          "cancel_task",
          "history_report",
          "list_runs",
          "list_tasks",
          "reschedule_task",
          "retry_failed",
          "run_task_now",
          "sitrep",
          "task_status",
        ].sort(),
      );
      const title = unique("mcp water");
      const t = await newTask(title);
      const list = JSON.parse(textOf(await client.callTool({ name: "list_tasks", arguments: { text: title } }))) as {
        tasks: { id: string; owner: string }[];
      };
      expect(list.tasks.map((x) => x.id)).toEqual([t.id]);
      const status = JSON.parse(
        textOf(await client.callTool({ name: "task_status", arguments: { taskId: t.id } })),
      ) as {
        task: { status: string };
      };
      expect(status.task.status).toBe("scheduled");
      const at = new Date(Date.now() + 10_800_000);
      at.setUTCMilliseconds(0);
      await client.callTool({ name: "reschedule_task", arguments: { taskId: t.id, runAt: at.toISOString() } });
      expect((await rt.tasks.get(t.id))!.nextRunAt).toEqual(at);
      const cancelled = await client.callTool({ name: "cancel_task", arguments: { taskId: t.id } });
      expect(textOf(cancelled)).toContain(`Cancelled \\"${title}\\".`);
      const again = (await client.callTool({ name: "cancel_task", arguments: { taskId: t.id } })) as ToolText;
      expect(again.isError).toBe(true);
      expect(again.content[0]!.text).toContain("already cancelled");
      const audit = await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: t.id, action: "cancel" } });
      expect(audit.actor).toBe("admin:mcp");
    } finally {
      await client.close();
    }
  });

  it("bulk-cancels by filter only once the count is confirmed, and reports history and the sitrep", async () => {
    const client = await httpClient();
    try {
      const tag = unique("mcp bulk");
      await newTask(`${tag} a`);
      await newTask(`${tag} b`);
      const preview = JSON.parse(textOf(await client.callTool({ name: "bulk_cancel", arguments: { text: tag } }))) as {
        count: number;
      };
      expect(preview.count).toBe(2);
      const done = JSON.parse(
        textOf(await client.callTool({ name: "bulk_cancel", arguments: { text: tag, confirm: 2 } })),
      ) as { done: number };
      expect(done.done).toBe(2);
      expect(textOf(await client.callTool({ name: "history_report", arguments: { window: "1h" } }))).toMatch(
        /^Herald history/,
      );
      expect(textOf(await client.callTool({ name: "sitrep", arguments: { window: "1h" } }))).toMatch(
        /^Herald sitrep — last 1h/,
      );
    } finally {
      await client.close();
    }
  });

  it("serves the same tools over stdio (herald mcp)", async () => {
    const t = await newTask(unique("mcp stdio"));
    const client = new Client({ name: "herald-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [HERALD_BIN, "mcp"],
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          DATABASE_URL: testDatabaseUrl(),
          REDIS_URL: inject("redisUrl"),
          REDIS_PREFIX: prefix,
          ADMIN_TOKEN: TOKEN,
          LOG_LEVEL: "silent",
        },
        stderr: "pipe",
      }),
    );
    try {
      const status = JSON.parse(
        textOf(await client.callTool({ name: "task_status", arguments: { taskId: t.id } })),
      ) as {
        task: { id: string };
      };
      expect(status.task.id).toBe(t.id);
      await client.callTool({ name: "run_task_now", arguments: { taskId: t.id } });
      const audit = await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: t.id, action: "run" } });
      expect(audit.actor).toMatch(/^mcp:/);
    } finally {
      await client.close();
    }
  }, 60_000);
});
