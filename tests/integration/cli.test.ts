import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { runHerald } from "../helpers/cli.js";
import { testDatabaseUrl, unique } from "../helpers/runtime.js";

const env = () => ({
  DATABASE_URL: testDatabaseUrl(),
  REDIS_URL: inject("redisUrl"),
  REDIS_PREFIX: `${inject("redisPrefix")}-${unique("cli")}`,
  DEFAULT_TIMEZONE: "America/New_York",
  PORT: "0",
});

describe("herald CLI", () => {
  it("exits non-zero with one line naming REDIS_URL when Redis cannot be reached", async () => {
    const r = await runHerald(["start", "--no-console"], { env: { ...env(), REDIS_URL: "redis://127.0.0.1:1" } });
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^herald: Cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\): ECONNREFUSED; start it/);
  });

  it("exits non-zero with one line naming DATABASE_URL when Postgres cannot be reached", async () => {
    const r = await runHerald(["migrate"], {
      env: { ...env(), DATABASE_URL: "postgresql://postgres@127.0.0.1:1/herald" },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/Cannot reach Postgres at 127\.0\.0\.1:1\/herald \(DATABASE_URL\)/);
  });

  it("says in one line that Postgres refused the login, not that it is down", async () => {
    const url = new URL(testDatabaseUrl());
    url.username = "no_such_role_herald";
    const r = await runHerald(["migrate"], { env: { ...env(), DATABASE_URL: url.toString() } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^herald: Postgres at .+ refused the login of user "no_such_role_herald" \(DATABASE_URL\): .*fix the user or password/,
    );
  });

  it("says in one line that the port is taken", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "0.0.0.0", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runHerald(["serve"], { env: { ...env(), PORT: String(port) } });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([
        `herald: Cannot listen on port ${port} (PORT): another process is using it; stop that process or set PORT to a free port`,
      ]);
    } finally {
      blocker.close();
    }
  });

  it("says in one line that a --tz is not a time zone", async () => {
    const r = await runHerald(["parse", "remind me at 5pm to call", "--tz", "Mars/Olympus"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      'herald: --tz "Mars/Olympus" is not an IANA time zone; use one such as America/New_York',
    ]);
  });

  it("stops at an invalid variable with one line that says what to put there", async () => {
    const r = await runHerald(["start"], { env: { ...env(), DEFAULT_TIMEZONE: "Nowhere/Special" } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^herald: DEFAULT_TIMEZONE must be an IANA time zone such as America\/New_York \(got "Nowhere\/Special"\); set it in the environment or in \.env/,
    );
  });

  it("chat with piped input confirms a reminder, then prints it when due, then exits", async () => {
    const r = await runHerald(["chat", "--user", unique("pipe")], {
      env: env(),
      lines: [[0, "remind me in 3 seconds to stretch"]],
      closeAfterMs: 10_000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split("\n");
    expect(out[0]).toMatch(
      /^✓ I'll remind you to stretch today at \d{1,2}:\d\d [AP]M \(in 3 seconds\)( \(times are in [^)]+\))?\. Reply "undo" to cancel\.$/,
    );
    expect(out[1]).toBe("⏰ stretch");
  });

  it("delivers a reminder set before a restart once, after the restart", async () => {
    const shared = env();
    const user = unique("restart");
    const first = await runHerald(["chat", "--user", user], {
      env: shared,
      lines: [[0, "remind me in 4 seconds to drink water"]],
      closeAfterMs: 500,
    });
    expect(first.stdout).toMatch(/✓ I'll remind you to drink water/);
    expect(first.stdout).not.toMatch(/⏰/);
    const second = await runHerald(["chat", "--user", user], { env: shared, lines: [[0, "list"]], closeAfterMs: 8000 });
    expect(second.stdout.match(/⏰ drink water/g)).toHaveLength(1);
  });
});
