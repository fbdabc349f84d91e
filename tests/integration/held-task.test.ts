import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnReminder, type ReminderVerb } from "../../src/bot/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { heraldAgainstTestDb } from "../helpers/cli.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";

const TOKEN = "held-task-admin-token-0123456789";

/**
 * A task held for an admin's approval leaves that state only by an admin's approve or reject (or a
 * cancel): this drives every entry point a user or an operator has, and shows none of them releases it.
 */
describe("a task held for approval", () => {
  let rt: Runtime;
  let base: string;
  let prefix: string;
  const sender = new RecordingSender("console");

  beforeAll(async () => {
    prefix = unique("held");
    rt = await startTestRuntime({
      env: { ADMIN_TOKEN: TOKEN, REDIS_PREFIX: prefix },
      parts: { worker: true, http: true },
      overrides: { senders: [sender] },
    });
    base = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => rt.close());

  const admin = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      body: new URLSearchParams(body),
    });
  const cli = (args: string[]) => heraldAgainstTestDb(args, prefix);

  it("is not released by chat, buttons, SMS keywords, the admin API, the page or the CLI", async () => {
    const name = unique("held-user");
    const say = (text: string) =>
      rt.conversation.handle({
        channel: "console",
        externalId: unique("m"),
        text,
        identity: { consoleName: name },
        receivedAt: new Date(),
      });
    const created = await say("remind me in 3 seconds to post the update in #ops");
    expect(created.duplicate).toBe(false);
    const user = await rt.db.prisma.user.findUniqueOrThrow({ where: { consoleName: name } });
    const task = await rt.db.prisma.task.findFirstOrThrow({ where: { userId: user.id } });
    expect(task.status).toBe("pending_approval");

    // Chat, every way of asking it to run.
    for (const text of ["resume all", "resume it", "resume the update one", "unpause everything", "snooze 10", "done"])
      await say(text);
    // Slack's buttons, which come to actOnReminder.
    for (const verb of ["done", "snooze_10", "snooze_60", "skip"] satisfies ReminderVerb[])
      await actOnReminder(rt.tasks, user.id, task.id, verb);
    // The admin API and the page: everything but approve is refused, and a new time keeps it held.
    for (const action of ["resume", "run", "retry", "pause"])
      expect((await admin(`/admin/api/tasks/${task.id}/${action}`, {})).status).toBe(409);
    const moved = await admin(`/admin/api/tasks/${task.id}/reschedule`, { runAt: new Date().toISOString() });
    expect(((await moved.json()) as { task: { status: string } }).task.status).toBe("pending_approval");
    const page = await admin(`/admin/tasks/${task.id}/resume`, { back: "/admin" });
    expect(decodeURIComponent(page.headers.get("location") ?? "")).toMatch(/err=.*approve it instead/i);
    // The CLI.
    for (const action of ["run", "retry"]) expect((await cli(["tasks", action, task.id])).code).not.toBe(0);

    // Past its time, with a worker running, it still has not fired.
    await new Promise((r) => setTimeout(r, 3500));
    const after = await rt.tasks.get(task.id);
    expect(after!.status).toBe("pending_approval");
    expect(await rt.db.prisma.taskRun.count({ where: { taskId: task.id } })).toBe(0);
    expect(sender.sent.filter((m) => m.body.includes("post the update"))).toEqual([]);

    // An admin's approve is what releases it.
    expect((await admin(`/admin/api/tasks/${task.id}/approve`, {})).status).toBe(200);
    // Released: scheduled, or already firing (it was due seconds ago), never held any more.
    expect(["scheduled", "running", "completed"]).toContain((await rt.tasks.get(task.id))!.status);
  });
});
