import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { eventually, startTestRuntime, unique } from "../helpers/runtime.js";
import { RecordingSender } from "../helpers/senders.js";
import type { WorkerProcessSpec } from "../helpers/worker-process.js";

const workerFile = fileURLToPath(new URL("../helpers/worker-process.ts", import.meta.url));

function startWorkerProcess(spec: WorkerProcessSpec): { child: ChildProcess; messages: Record<string, unknown>[] } {
  const child = fork(workerFile, [JSON.stringify(spec)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const messages: Record<string, unknown>[] = [];
  child.on("message", (m) => messages.push(m as Record<string, unknown>));
  return { child, messages };
}

describe("a worker process killed mid-run", () => {
  const runtimes: Runtime[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const rt of runtimes.splice(0)) await rt.close();
  });

  // A task created one at a time has a timer of its own; one stored without a timer (a bulk import, a
  // task entering the horizon) is fired by the sweep for its second. Either way a dead worker's run is
  // taken over once.
  it.each([
    ["its own timer", false],
    ["a sweep", true],
  ])(
    "a run started from %s leaves a stalled job that another worker completes once, as attempt 2",
    async (_, swept) => {
      // This runtime only creates the task: it runs no workers, so the child process takes the job.
      const front = await startTestRuntime({ parts: { worker: false } });
      runtimes.push(front);
      const { child, messages } = startWorkerProcess({
        databaseUrl: front.config.DATABASE_URL,
        redisUrl: front.config.REDIS_URL,
        prefix: front.config.REDIS_PREFIX,
        lockDurationMs: 2000,
      });
      children.push(child);
      await eventually(() => messages.some((m) => m.ready), "the worker process to start", 30_000);

      const user = await front.db.prisma.user.create({ data: { timezone: "UTC", consoleName: unique("user") } });
      const runAt = new Date(Date.now() + 500);
      const task = swept
        ? await front.db.prisma.task.create({
            data: {
              userId: user.id,
              title: "survive a crash",
              instruction: "x",
              runAt,
              nextRunAt: runAt,
              timezone: "UTC",
              channel: "console",
              status: "scheduled",
            },
          })
        : await front.tasks.create({
            userId: user.id,
            title: "survive a crash",
            instruction: "x",
            when: { runAt },
            timezone: "UTC",
            channel: "console",
          });
      const started = await eventually(
        () => messages.find((m) => m.started),
        "the run to start in the worker process",
        20_000,
      );
      expect(started.attempt).toBe(1);

      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));

      const sender = new RecordingSender("console");
      const survivor = await startTestRuntime({
        env: { REDIS_PREFIX: front.config.REDIS_PREFIX },
        overrides: { senders: [sender], lockDurationMs: 2000 },
      });
      runtimes.push(survivor);
      await eventually(() => sender.sent.length === 1, "the survivor to deliver the reminder", 45_000);
      await new Promise((r) => setTimeout(r, 2500));

      expect(sender.sent).toHaveLength(1);
      expect(messages.some((m) => m.sent)).toBe(false);
      const runs = await survivor.db.prisma.taskRun.findMany({ where: { taskId: task.id } });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ id: started.started, status: "succeeded", attempt: 2 });
      expect(await survivor.db.prisma.delivery.count({ where: { taskId: task.id } })).toBe(1);
      expect((await survivor.db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("completed");
    },
  );
});
