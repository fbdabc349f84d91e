/**
 * A Herald worker in a process of its own, for tests that kill one (SIGKILL) mid-run. Started with
 * `fork(thisFile, [JSON spec], { execArgv: ["--import", "tsx"] })`; says { ready } over IPC once running,
 * then { started: runId, attempt } when a run begins. Its executor never finishes, so the run is in
 * progress, lease held and BullMQ lock renewed, until the process is killed.
 */
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/log/index.js";
import { startRuntime } from "../../src/runtime/index.js";

export interface WorkerProcessSpec {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  lockDurationMs: number;
}

const spec = JSON.parse(process.argv[2]!) as WorkerProcessSpec;
const config = loadConfig({
  DATABASE_URL: spec.databaseUrl,
  REDIS_URL: spec.redisUrl,
  REDIS_PREFIX: spec.prefix,
  LOG_LEVEL: "silent",
  PORT: "0",
});
await startRuntime(
  config,
  silentLogger,
  { worker: true, http: false },
  {
    leadMs: 50,
    lockDurationMs: spec.lockDurationMs,
    schedulerIntervalMs: 200,
    reconcileEveryMs: 1000,
    senders: [
      {
        channel: "console",
        send: async () => {
          process.send!({ sent: true });
          return { status: "delivered" };
        },
      },
    ],
    executor: {
      execute: async ({ run }) => {
        process.send!({ started: run.runId, attempt: run.attempt });
        return new Promise(() => {});
      },
    },
  },
);
process.send!({ ready: true });
