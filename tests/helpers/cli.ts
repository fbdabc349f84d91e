import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

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
