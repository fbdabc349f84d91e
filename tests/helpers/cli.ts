import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { testDatabaseUrl } from "./runtime.js";

export const HERALD_BIN = fileURLToPath(new URL("../../bin/herald.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `herald ARGS` as a child process, the way a user does, with `env` over a clean environment.
 * `lines` are written to stdin, each after its delay in ms; stdin closes `closeAfterMs` after the last.
 */
export function runHerald(
  args: string[],
  opts: { env?: Record<string, string>; lines?: [number, string][]; closeAfterMs?: number; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HERALD_BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    (async () => {
      for (const [delay, line] of opts.lines ?? []) {
        await new Promise((r) => setTimeout(r, delay));
        child.stdin.write(`${line}\n`);
      }
      await new Promise((r) => setTimeout(r, opts.closeAfterMs ?? 0));
      child.stdin.end();
    })().catch(reject);
  });
}

/** Runs `herald ARGS` as an operator does, against this test file's database and Redis under `prefix`. */
export function heraldAgainstTestDb(
  args: string[],
  prefix: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [HERALD_BIN, ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: testDatabaseUrl(),
          REDIS_URL: inject("redisUrl"),
          REDIS_PREFIX: prefix,
          LOG_LEVEL: "silent",
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
