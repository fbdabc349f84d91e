import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";
import type { RetryPolicy } from "../retry/index.js";
import { isValidTimeZone } from "../time/index.js";

/**
 * The one place Herald reads its environment. Every variable is listed, with its default, in
 * .env.example; a missing or invalid one stops startup with a line naming it and what to put there.
 */
const url = (example: string) =>
  z.string().refine((s) => URL.canParse(s), { message: `must be a URL such as ${example}` });

const optional = <T extends z.ZodTypeAny>(t: T) => z.preprocess((v) => (v === "" ? undefined : v), t.optional());

const schema = z.object({
  DATABASE_URL: url("postgresql://postgres@127.0.0.1:5432/herald").default(
    "postgresql://postgres@127.0.0.1:5432/herald",
  ),
  REDIS_URL: url("redis://127.0.0.1:6379").default("redis://127.0.0.1:6379"),
  /**
   * A Redis Cluster instead of REDIS_URL: some of its nodes, "10.0.0.1:6379,10.0.0.2:6379". Herald then
   * hash-tags REDIS_PREFIX ("{herald}") so each queue's keys share a slot, as BullMQ requires.
   */
  REDIS_CLUSTER_NODES: optional(
    z.string().regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, { message: "must be host:port pairs separated by commas" }),
  ),
  /** Prefix of every Redis key Herald writes, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().min(1).default("herald"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optional(url("https://herald.example.com")),
  /** New users' zone until they say theirs; the machine's zone (TZ, or the system's) when unset. */
  DEFAULT_TIMEZONE: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .default(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC")
      .refine(isValidTimeZone, { message: "must be an IANA time zone such as America/New_York" }),
  ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  INTERPRETER: z.enum(["auto", "offline", "llm"]).default("auto"),
  OPENAI_API_KEY: optional(z.string()),
  OPENAI_BASE_URL: optional(url("https://api.openai.com/v1")),
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),

  SLACK_BOT_TOKEN: optional(z.string().startsWith("xoxb-", { message: "must be a bot token starting with xoxb-" })),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_API_URL: optional(url("https://slack.com/api/")),
  SLACK_OPS_CHANNEL: optional(z.string()),
  /**
   * Messages per second Herald posts to one Slack channel (a user's DM is one): Slack allows chat.postMessage
   * about one a second per channel, with short bursts, and answers 429 past it.
   * https://api.slack.com/methods/chat.postMessage#rate_limiting
   */
  SLACK_CHANNEL_RATE_PER_S: z.coerce.number().positive().default(1),

  TWILIO_ACCOUNT_SID: optional(z.string().startsWith("AC", { message: "must be an account SID starting with AC" })),
  TWILIO_AUTH_TOKEN: optional(z.string()),
  TWILIO_FROM_NUMBER: optional(
    z.string().regex(/^\+[1-9]\d{6,14}$/, { message: "must be an E.164 number such as +15551234567" }),
  ),
  TWILIO_API_URL: optional(url("https://api.twilio.com")),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * Messages per second Herald sends from TWILIO_FROM_NUMBER: a US long code about 1, a toll-free number 3,
   * a short code 100 (or what Twilio set for the account); past it Twilio queues or answers 429.
   * https://help.twilio.com/articles/115002943027
   */
  SMS_RATE_PER_S: z.coerce.number().positive().default(1),

  SMTP_URL: optional(url("smtp://user:pass@smtp.example.com:587")),
  EMAIL_FROM: optional(z.string()),

  ADMIN_TOKEN: optional(z.string().min(16, { message: "must be at least 16 characters" })),
  /**
   * /metrics wants this bearer token (default: ADMIN_TOKEN). With METRICS_PORT, every process (workers
   * too) serves /metrics on that port instead, for a scraper on a private network, and the token is only
   * asked for when METRICS_TOKEN is set.
   */
  METRICS_TOKEN: optional(z.string().min(16, { message: "must be at least 16 characters" })),
  METRICS_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  /** Operators' own tokens, "alice:TOKEN,bob:TOKEN": the audit log then names who acted. */
  ADMIN_TOKENS: optional(
    z
      .string()
      .transform((s) =>
        s
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(/^[a-z0-9._-]{1,40}:.{16,}$/i, {
              message: "must be name:token pairs separated by commas, each token at least 16 characters",
            })
            .transform((p) => ({ name: p.slice(0, p.indexOf(":")), token: p.slice(p.indexOf(":") + 1) })),
        ),
      ),
  ),

  /** Tasks due within this horizon get a Redis timer; later ones stay in Postgres only. */
  SCHEDULER_HORIZON_MS: z.coerce.number().int().positive().default(3_600_000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(20),
  /** Attempts at a failing run; with the retry waits below, 14 ride out an outage of about half an hour. */
  RUN_ATTEMPTS: z.coerce.number().int().min(1).default(14),
  /** Messages being sent at once per worker process, and attempts at each before it is failed. */
  DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(200),
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).default(14),
  MAX_ACTIVE_TASKS: z.coerce.number().int().positive().default(25),
  /** The retry policy of runs and deliveries (src/retry): first wait, longest wait, spread. */
  RETRY_BASE_MS: z.coerce.number().int().positive().default(2000),
  RETRY_MAX_DELAY_MS: z.coerce.number().int().positive().default(300_000),
  RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),

  /** How often the scheduler moves tasks due within the horizon into Redis. */
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /** How often the reconciler checks that every armed timer is still in Redis (a loss noticed sooner re-arms at once). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
  /** A run's and a delivery's lease: work whose worker has been silent this long is taken over by another. */
  LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often each process checks Redis for the marker key a flush or an empty restart removes. */
  REDIS_CHECK_MS: z.coerce.number().int().positive().default(1000),
  /**
   * How long an inbound SMS's webhook waits for a worker's answer to go back in the TwiML (while the workers
   * answer in time); later answers go through the outbox. 0: never in the TwiML.
   */
  SMS_REPLY_BUDGET_MS: z.coerce.number().int().min(0).default(150),
  /** Inbound messages a worker interprets and acts on at once; the rest wait their turn, already acked. */
  INBOUND_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /**
   * The CPU niceness a `herald worker` process gives itself (0 to 19; 0 leaves it as started): on a host it
   * shares with `herald serve` and Postgres, work yields to webhook acks.
   */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Housekeeping: runs, messages, deliveries and audit entries older than this many days are pruned (at
   * least 8, so the sitrep's 7-day window never loses a row it lists).
   */
  /**
   * Too late to be useful: a failing run or message is given up once its next try would come this long
   * after its occurrence (a task's own cut-off wins): an hour-late reminder is not worth sending.
   */
  LATE_CUTOFF_MS: z.coerce.number().int().min(60_000).default(3_600_000),
  RETENTION_DAYS: z.coerce.number().int().min(8).default(90),
  HOUSEKEEPING_BATCH: z.coerce.number().int().min(1).max(100_000).default(1000),
  HOUSEKEEPING_INTERVAL_MS: z.coerce.number().int().min(60_000).default(3_600_000),
});

export type Config = z.infer<typeof schema>;

/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses `env` (process.env merged over a .env file, if any) into a typed config.
 * @throws ConfigError naming the first bad variable and what to put there.
 */
export function loadConfig(env: Record<string, string | undefined> = readEnvironment()): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(
      `${name} ${issue.message} (got ${JSON.stringify(env[name] ?? "")}); set it in the environment or in .env (see .env.example)`,
    );
  }
  const c = result.data;
  requireTogether(c, ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"], "to send and receive SMS");
  requireTogether(c, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"], "to use Slack");
  if (c.TWILIO_ACCOUNT_SID && !c.PUBLIC_URL)
    throw new ConfigError(
      "PUBLIC_URL is required with Twilio: set it to the https URL Twilio posts to, such as https://herald.example.com (signatures are checked against it)",
    );
  return c;
}

function requireTogether(c: Config, names: (keyof Config)[], purpose: string): void {
  const set = names.filter((n) => c[n] !== undefined);
  if (set.length === 0 || set.length === names.length) return;
  const missing = names.find((n) => c[n] === undefined)!;
  throw new ConfigError(
    `${missing} is missing: ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set, and ${names.join(", ")} are all needed ${purpose}`,
  );
}

/** process.env over the .env file in the working directory (process.env wins). */
export function readEnvironment(): Record<string, string | undefined> {
  const file = ".env";
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** The retry policy of runs (RUN_ATTEMPTS) or deliveries (DELIVERY_ATTEMPTS). */
export function retryPolicy(c: Config, of: "runs" | "deliveries"): RetryPolicy {
  return {
    attempts: of === "runs" ? c.RUN_ATTEMPTS : c.DELIVERY_ATTEMPTS,
    baseMs: c.RETRY_BASE_MS,
    maxDelayMs: c.RETRY_MAX_DELAY_MS,
    jitter: c.RETRY_JITTER,
  };
}
