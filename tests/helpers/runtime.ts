import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config/index.js";
import { silentLogger } from "../../src/log/index.js";
import { startRuntime, type Overrides, type Runtime, type RuntimeParts } from "../../src/runtime/index.js";

/** This test file's own database (see tests/setup/per-file.ts). */
export function testDatabaseUrl(): string {
  const url = (globalThis as { __heraldTestDatabaseUrl?: string }).__heraldTestDatabaseUrl;
  if (!url) throw new Error("testDatabaseUrl() is available from beforeAll on (tests/setup/per-file.ts creates it)");
  return url;
}

/** A unique name, for users, queues and prefixes that must not collide across tests. */
export const unique = (label = "t") => `${label}-${randomBytes(4).toString("hex")}`;

/**
 * The config a test runs with: this run's database, a Redis prefix of the test's own (so one test's
 * workers never take another's jobs), and whatever the test overrides.
 */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: inject("redisUrl"),
    REDIS_PREFIX: `${inject("redisPrefix")}-${randomBytes(4).toString("hex")}`,
    PORT: "0",
    LOG_LEVEL: "silent",
    ...env,
  });
}

/** Starts a Runtime for a test; call close() in afterEach/afterAll. */
export function startTestRuntime(
  opts: { env?: Record<string, string | undefined>; parts?: Partial<RuntimeParts>; overrides?: Overrides } = {},
): Promise<Runtime> {
  return startRuntime(
    testConfig(opts.env),
    silentLogger,
    { worker: true, http: false, ...opts.parts },
    { leadMs: 50, schedulerIntervalMs: 200, reconcileEveryMs: 1000, ...opts.overrides },
  );
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  what: string,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
