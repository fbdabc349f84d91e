/**
 * A Herald worker in a process of its own that sends through its configured channels (SMS to a fake
 * Twilio), for tests that kill one (SIGKILL) with deliveries in flight. Started with
 * `fork(thisFile, [JSON env], { execArgv: ["--import", "tsx"] })`; says { ready } over IPC once running.
 * The env is the worker's whole configuration (DATABASE_URL, REDIS_PREFIX, TWILIO_*, LEASE_MS …).
 */
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/log/index.js";
import { startRuntime } from "../../src/runtime/index.js";

const env = JSON.parse(process.argv[2]!) as Record<string, string>;
await startRuntime(
  loadConfig({ LOG_LEVEL: "silent", PORT: "0", ...env }),
  silentLogger,
  { worker: true, http: false },
  { leadMs: 50, schedulerIntervalMs: 200, reconcileEveryMs: 1000 },
);
process.send!({ ready: true });
