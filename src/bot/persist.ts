import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log/index.js";
import { backoffMs, type RetryPolicy } from "../retry/index.js";

/**
 * Attempts at a step of handling an inbound message in this process (Postgres away, say) before it is left
 * to the channel's resume loop: waits of 0.5, 1, 2, then 4 s each, about 27 s in all, well inside the resume
 * loops' RESUME_AFTER_MS, so a message is answered within seconds of Postgres coming back, and the resume
 * loop never takes a message this process is still trying.
 */
const INBOX_RETRY: RetryPolicy = { attempts: 10, baseMs: 500, maxDelayMs: 4000, jitter: 0 };

/**
 * Runs `step` until it succeeds, waiting between attempts while Herald's own services fail; undefined after
 * INBOX_RETRY.attempts failures, the message then staying in the inbox for the resume loop. `what` names the step and
 * the message in the logs ("handle an SMS").
 */
export async function persist<T>(
  logger: Logger,
  about: object,
  what: string,
  step: (attempt: number) => Promise<T>,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (err) {
      const log = { ...about, attempt, err: (err as Error).message };
      if (attempt >= INBOX_RETRY.attempts) {
        logger.error(log, `could not ${what}; it stays in the inbox and is resumed later`);
        return undefined;
      }
      logger.warn(log, `could not ${what} yet; will retry`);
    }
    await sleep(backoffMs(INBOX_RETRY, attempt));
  }
}
