import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { heraldAgainstTestDb } from "../helpers/cli.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const herald = heraldAgainstTestDb;

describe("herald sitrep and herald tasks", () => {
  let rt: Runtime;
  let prefix: string;
  beforeAll(async () => {
    prefix = unique("cli");
    rt = await startTestRuntime({ env: { REDIS_PREFIX: prefix }, parts: { worker: false } });
  });
  afterAll(async () => rt.close());

  it("prints the sitrep as text and as JSON", async () => {
    const [json, text, bad] = await Promise.all([
      herald(["sitrep", "--window", "1h", "--json"], prefix),
      herald(["sitrep"], prefix),
      herald(["sitrep", "--window", "2y"], prefix),
    ]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const s = JSON.parse(json.stdout) as { window: string; tasks: { total: number }; queues: { fire: unknown } };
    expect(s.window).toBe("1h");
    expect(s.queues.fire).toMatchObject({ waiting: expect.any(Number), delayed: expect.any(Number) });
    expect(text.stdout).toMatch(/^Herald sitrep — last 24h/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--window must be 1h, 24h or 7d");
  }, 120_000);

  it("lists, shows and approves a held task, recording the operator", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("cli-user") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "remind Lee",
      instruction: "remind Lee to call",
      when: { runAt: new Date(Date.now() + 7_200_000) },
      timezone: "UTC",
      channel: "console",
      audience: "+15550004444",
    });

    // Each invocation starts a process (a few seconds under tsx): independent ones run side by side.
    const [list, plain, show] = await Promise.all([
      herald(["tasks", "list", "--status", "pending_approval", "--user", user.consoleName!, "--json"], prefix),
      herald(["tasks", "list", "--user", user.consoleName!], prefix),
      herald(["tasks", "show", t.id, "--json"], prefix),
    ]);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { tasks: { id: string }[] }).tasks.map((x) => x.id)).toEqual([t.id]);
    expect(plain.stdout).toContain(`${t.id}  pending_approval`);
    expect((JSON.parse(show.stdout) as { task: { title: string } }).task.title).toBe("remind Lee");

    const approve = await herald(["tasks", "approve", t.id], prefix);
    expect(approve.stdout).toBe(`Approved "remind Lee".\n`);
    expect((await rt.tasks.get(t.id))!.status).toBe("scheduled");
    expect(
      (await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: t.id, action: "approve" } })).actor,
    ).toMatch(/^cli:/);

    const [again, missing] = await Promise.all([
      herald(["tasks", "approve", t.id], prefix),
      herald(["tasks", "cancel", "00000000-0000-0000-0000-000000000000"], prefix),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is scheduled, so it can't be approved");
    expect(missing.stderr).toMatch(/^herald: No task 00000000-0000-0000-0000-000000000000\./);
  }, 120_000);
});
