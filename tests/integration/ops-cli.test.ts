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

  it("pauses, resumes, reschedules and sets the cut-off of a task, as the API does", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("cli-parity") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "water the ferns",
      instruction: "water the ferns",
      when: { runAt: new Date(Date.now() + 7_200_000) },
      timezone: "UTC",
      channel: "console",
    });
    const pause = await herald(["tasks", "pause", t.id], prefix);
    expect(pause.stdout).toBe(`Paused "water the ferns".\n`);
    expect((await rt.tasks.get(t.id))!.status).toBe("paused");
    expect((await herald(["tasks", "resume", t.id], prefix)).stdout).toBe(`Resumed "water the ferns".\n`);
    const at = new Date(Date.now() + 10_800_000);
    at.setUTCMilliseconds(0);
    const [moved, cutoff, bad] = await Promise.all([
      herald(["tasks", "reschedule", t.id, "--at", at.toISOString(), "--json"], prefix),
      herald(["tasks", "cutoff", t.id, "--minutes", "30"], prefix),
      herald(["tasks", "reschedule", t.id, "--at", "soon"], prefix),
    ]);
    expect(new Date((JSON.parse(moved.stdout) as { task: { nextRunAt: string } }).task.nextRunAt)).toEqual(at);
    expect(cutoff.code).toBe(0);
    expect(bad.stderr).toBe(`herald: --at must be an ISO time such as 2026-11-25T09:00:00Z (got "soon").\n`);
    const after = await rt.tasks.get(t.id);
    expect(after).toMatchObject({ status: "scheduled", usefulForMs: 30 * 60_000 });
    const actions = await rt.db.prisma.auditLog.findMany({ where: { taskId: t.id }, orderBy: { at: "asc" } });
    // The reschedule and the cut-off ran side by side: either may be recorded first.
    expect(actions.map((a) => a.action).slice(0, 3)).toEqual(["create", "pause", "resume"]);
    expect(
      actions
        .map((a) => a.action)
        .slice(3)
        .sort(),
    ).toEqual(["reschedule", "set_cutoff"]);
  }, 120_000);

  it("previews a bulk action as a count and runs it only when that count is confirmed", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("cli-bulk") } });
    for (const title of ["bulk one", "bulk two"])
      await rt.tasks.create({
        userId: user.id,
        title,
        instruction: title,
        when: { runAt: new Date(Date.now() + 7_200_000) },
        timezone: "UTC",
        channel: "console",
      });
    const preview = await herald(["tasks", "bulk", "pause", "--user", user.consoleName!], prefix);
    expect(preview.stdout).toContain("pause would act on 2 tasks:");
    expect(preview.stdout).toContain("Run it with --yes 2");
    expect(await rt.db.prisma.task.count({ where: { userId: user.id, status: "paused" } })).toBe(0);
    const [wrong, none] = await Promise.all([
      herald(["tasks", "bulk", "pause", "--user", user.consoleName!, "--yes", "5"], prefix),
      herald(["tasks", "bulk", "explode", "--user", user.consoleName!], prefix),
    ]);
    expect(wrong.stderr).toContain("now matches 2 tasks, not the 5 you confirmed");
    expect(none.stderr).toContain("bulk actions are cancel, retry, pause, resume");
    const run = await herald(["tasks", "bulk", "pause", "--user", user.consoleName!, "--yes", "2"], prefix);
    expect(run.stdout).toMatch(/^pause: 2 done, 0 refused \(of 2\)/);
    expect(await rt.db.prisma.task.count({ where: { userId: user.id, status: "paused" } })).toBe(2);
  }, 120_000);

  it("lists runs with their durations and reports a window", async () => {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("cli-runs") } });
    const t = await rt.tasks.create({
      userId: user.id,
      title: "nightly backup check",
      instruction: "check",
      when: { runAt: new Date(Date.now() + 7_200_000) },
      timezone: "UTC",
      channel: "console",
    });
    const startedAt = new Date(Date.now() - 600_000);
    await rt.db.prisma.taskRun.create({
      data: {
        taskId: t.id,
        occurrence: startedAt,
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 2500),
        status: "failed",
        error: "disk full",
      },
    });
    const [list, report] = await Promise.all([
      herald(["runs", "list", "--user", user.consoleName!, "--status", "failed"], prefix),
      herald(["runs", "report", "--window", "1h", "--json"], prefix),
    ]);
    expect(list.stdout).toMatch(/failed\s+2\.5 s\s+console nightly backup check\n {4}disk full/);
    const r = JSON.parse(report.stdout) as { runs: { byStatus: Record<string, number> }; errors: { error: string }[] };
    expect(r.runs.byStatus.failed).toBeGreaterThanOrEqual(1);
    expect(r.errors.map((e) => e.error)).toContain("disk full");
  }, 120_000);
});
