import { describe, expect, it } from "vitest";
import { configuredChannels } from "../../src/channels/index.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";

describe("config", () => {
  it("runs on its defaults with no environment at all", () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe("postgresql://postgres@127.0.0.1:5432/herald");
    expect(c.REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(c.PORT).toBe(3000);
    expect(c.INTERPRETER).toBe("auto");
    expect(configuredChannels(c)).toEqual(["console"]);
    expect(c.OPENAI_API_KEY).toBeUndefined();
  });

  it("names the variable and what to put there when a value is invalid", () => {
    expect(() => loadConfig({ DEFAULT_TIMEZONE: "Mars/Olympus" })).toThrow(
      /^DEFAULT_TIMEZONE must be an IANA time zone such as America\/New_York/,
    );
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/^PORT /);
    expect(() => loadConfig({ REDIS_URL: "localhost" })).toThrow(
      /^REDIS_URL must be a URL such as redis:\/\/127.0.0.1:6379/,
    );
  });

  it("reports a problem as one line", () => {
    try {
      loadConfig({ TWILIO_FROM_NUMBER: "555-1234" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain("\n");
    }
  });

  it("asks for the missing half of a channel's credentials", () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: "AC123", TWILIO_AUTH_TOKEN: "tok" })).toThrow(
      /^TWILIO_FROM_NUMBER is missing/,
    );
    expect(() => loadConfig({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(/^SLACK_SIGNING_SECRET is missing/);
  });

  it("needs PUBLIC_URL with Twilio, since signatures are computed over it", () => {
    expect(() =>
      loadConfig({ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_FROM_NUMBER: "+15550001111" }),
    ).toThrow(/^PUBLIC_URL is required with Twilio/);
  });

  it("treats empty values as unset, as .env.example leaves them", () => {
    const c = loadConfig({ OPENAI_API_KEY: "", SLACK_BOT_TOKEN: "", PUBLIC_URL: "" });
    expect(c.OPENAI_API_KEY).toBeUndefined();
    expect(c.PUBLIC_URL).toBeUndefined();
  });
});

describe("the default retry budget", () => {
  it("rides out a provider outage of tens of minutes, exponential up to a 5-minute cap", async () => {
    const { loadConfig, retryPolicy } = await import("../../src/config/index.js");
    const { backoffMs, retryBudgetMs } = await import("../../src/retry/index.js");
    const c = loadConfig({});
    for (const of of ["runs", "deliveries"] as const) {
      const p = retryPolicy(c, of);
      expect(retryBudgetMs(p) / 60_000).toBeGreaterThan(30);
      expect(retryBudgetMs(p) / 60_000).toBeLessThan(c.LATE_CUTOFF_MS / 60_000);
      expect([1, 2, 3, 9, 13].map((n) => backoffMs(p, n) / 1000)).toEqual([2, 4, 8, 300, 300]);
    }
  });
});
