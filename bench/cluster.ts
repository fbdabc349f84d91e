import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether a loopback port is free to listen on. */
const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

/** A Redis Cluster of `masters` redis-server processes of the bench's own on loopback ports, no replicas, no persistence. */
export interface BenchCluster {
  /** "127.0.0.1:p1,127.0.0.1:p2,…", as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  stop(): Promise<void>;
}

export async function startCluster(masters = 3): Promise<BenchCluster> {
  // A node also listens on its port + 10000 (the cluster bus): both must be free.
  const ports: number[] = [];
  for (let tries = 0; ports.length < masters && tries < 200; tries++) {
    const p = 20_000 + Math.floor(Math.random() * 9_000);
    if (!ports.includes(p) && (await free(p)) && (await free(p + 10_000))) ports.push(p);
  }
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-cluster-"));
  const procs: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, `nodes-${port}.conf`),
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: "ignore" },
    ),
  );
  const stop = async () => {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      for (let i = 0; ; i++) {
        const ok = await run("redis-cli", ["-p", String(port), "ping"]).then(
          (r) => r.stdout.trim() === "PONG",
          () => false,
        );
        if (ok) break;
        if (i > 100) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"]);
    for (let i = 0; ; i++) {
      const info = await run("redis-cli", ["-p", String(ports[0]), "cluster", "info"]);
      if (info.stdout.includes("cluster_state:ok")) break;
      if (i > 200) throw new Error("the cluster did not reach cluster_state:ok");
      await new Promise((r) => setTimeout(r, 50));
    }
    return { nodes: nodes.join(","), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
