import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRedis } from "../../src/redis/index.js";
import { startTestRuntime } from "../helpers/runtime.js";

/** A throwaway redis-server on a free port, configured the way a cache would be: it evicts keys under memory pressure. */
async function startScratchRedis(): Promise<{ url: string; server: ChildProcess }> {
  for (let tries = 0; tries < 10; tries++) {
    const port = 6390 + Math.floor(Math.random() * 2000);
    const server = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxmemory",
        "64mb",
        "--maxmemory-policy",
        "allkeys-lru",
      ],
      { stdio: "ignore" },
    );
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && server.exitCode === null; i++) {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on("error", () => {});
      const up = await probe
        .connect()
        .then(() => probe.ping())
        .then(
          () => true,
          () => false,
        );
      probe.disconnect();
      if (up) return { url, server };
      await new Promise((r) => setTimeout(r, 100));
    }
    server.kill("SIGKILL");
  }
  throw new Error("could not start a scratch redis-server");
}

describe("Redis that may evict keys", () => {
  let scratch: { url: string; server: ChildProcess };
  beforeAll(async () => {
    scratch = await startScratchRedis();
  });
  afterAll(async () => {
    if (scratch?.server.exitCode === null) {
      scratch.server.kill("SIGKILL");
      await new Promise((r) => scratch.server.once("exit", r));
    }
  });

  it("makes Herald refuse to start, naming the policy and how to fix it", async () => {
    await expect(checkRedis(scratch.url)).rejects.toMatchObject({
      code: "herald_redis_eviction",
      message: expect.stringMatching(/maxmemory-policy allkeys-lru.*noeviction/),
    });
    await expect(startTestRuntime({ env: { REDIS_URL: scratch.url } })).rejects.toMatchObject({
      code: "herald_redis_eviction",
    });
  });

  it("is accepted once set to noeviction", async () => {
    const admin = new Redis(scratch.url);
    await admin.config("SET", "maxmemory-policy", "noeviction");
    admin.disconnect();
    await expect(checkRedis(scratch.url)).resolves.toBeUndefined();
  });
});
