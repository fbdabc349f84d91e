import pg from "pg";
import type { Config } from "../config/index.js";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { ConsoleSender } from "./console.js";
import type { Sender } from "./types.js";

/**
 * The senders for every configured channel; the console is always there. SMS and Slack read a little
 * from Postgres (the task behind a delivery, the user's email): pass the runtime's `pool`; without one they
 * open a small pool of their own on first use, which closes its idle connections by itself.
 * Each provider's SDK is loaded only when its channel is configured (twilio, Slack's client and
 * nodemailer together weigh about 40 MB of a worker's memory).
 */
export async function configuredSenders(
  config: Config,
  redis: Redis,
  prefix: string,
  logger: Logger,
  pool?: pg.Pool,
): Promise<Sender[]> {
  let own: pg.Pool | undefined;
  const db = () => {
    if (pool) return pool;
    if (!own) {
      own = new pg.Pool({
        connectionString: config.DATABASE_URL,
        max: 2,
        idleTimeoutMillis: 5_000,
        allowExitOnIdle: true,
      });
      // An idle connection dropped by the server must not crash the process (pg emits it on the pool).
      own.on("error", (err) => logger.warn({ err: err.message }, "senders' Postgres connection dropped"));
    }
    return own;
  };
  const senders: Sender[] = [new ConsoleSender(redis, prefix)];
  const email =
    config.SMTP_URL && config.EMAIL_FROM
      ? new (await import("./email.js")).EmailSender(config.SMTP_URL, config.EMAIL_FROM, logger)
      : undefined;
  if (email) senders.push(email);
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM_NUMBER) {
    const [{ SmsSender }, { publicEndpoint, twilioClient }] = await Promise.all([
      import("./sms.js"),
      import("./twilio.js"),
    ]);
    senders.push(
      new SmsSender({
        client: twilioClient(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, config.TWILIO_API_URL),
        from: config.TWILIO_FROM_NUMBER,
        statusCallback: config.PUBLIC_URL ? publicEndpoint(config.PUBLIC_URL, "/sms/status") : undefined,
        maxSegments: config.SMS_MAX_SEGMENTS,
        pool: db,
        email,
        logger,
      }),
    );
  }
  if (config.SLACK_BOT_TOKEN) {
    const { SlackSender, slackClient } = await import("./slack.js");
    senders.push(new SlackSender(slackClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL), db, logger));
  }
  return senders;
}
