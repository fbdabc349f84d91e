import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What a bench worker process reports. */
export interface WorkerReport {
  /** Firing lateness per run (Herald: at the executor; bare BullMQ: at the processor), ms. */
  lateness: number[];
  /** Messages handed to the fake sender (Herald) or jobs processed (bare BullMQ). */
  done: number;
  /** Wall clock of the last one, epoch ms. */
  lastAt: number;
  /** Runs executed (Herald) or jobs processed (bare BullMQ), and when the last one was. */
  fired: number;
  lastFiredAt: number;
  rssPeakMb: number;
  /** The RSS peak since the last reset (this phase's). */
  phaseRssPeakMb: number;
  /** The event loop's delay since the last reset (perf_hooks.monitorEventLoopDelay), ms. */
  loopDelay: { p99Ms: number; maxMs: number };
}

export interface WorkerSpec {
  mode: "herald" | "bullmq";
  databaseUrl: string;
  redisUrl: string;
  /** A Redis Cluster's nodes (REDIS_CLUSTER_NODES) instead of redisUrl. */
  redisClusterNodes?: string;
  prefix: string;
  leadMs: number;
  concurrency: number;
  /** More environment for the Herald worker; with it the channels' real senders are used (the paced part). */
  env?: Record<string, string>;
  /** Node flags for the Herald worker: by default those `npm run worker` starts production workers with. */
  nodeFlags: string[];
}

/** A worker in a process of its own, so its RSS and CPU are its own, as in production. */
export class BenchWorker {
  private constructor(private readonly child: ChildProcess) {}

  static async start(spec: WorkerSpec): Promise<BenchWorker> {
    // Compiled (bin/bench.js), the worker runs as production does; from the sources, through tsx.
    const compiled = import.meta.url.endsWith(".js");
    const child = fork(
      fileURLToPath(new URL(compiled ? "./worker.js" : "./worker.ts", import.meta.url)),
      [JSON.stringify(spec)],
      {
        execArgv: [...(compiled ? [] : ["--import", "tsx"]), ...(spec.mode === "herald" ? spec.nodeFlags : [])],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`bench worker exited with ${code} before it was ready`)));
    });
    return new BenchWorker(child);
  }

  /** The report so far; `reset` starts the next phase's counts from zero. */
  report(reset = false): Promise<WorkerReport> {
    return new Promise((resolve) => {
      this.child.once("message", (m) => resolve(m as WorkerReport));
      this.child.send({ cmd: "report", reset });
    });
  }

  /** Polls until `n` are done or `timeoutMs` passes; returns the last report either way. */
  async waitFor(n: number, timeoutMs: number): Promise<WorkerReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.report();
      if (r.done >= n || Date.now() > deadline) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.send({ cmd: "stop" });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
