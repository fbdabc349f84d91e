import type { ProviderFailure } from "../errors/index.js";

/**
 * The one retry policy of Herald, for runs (a task's action failed) and deliveries (a provider refused a
 * message) alike: pure, from the attempts made and what the failure was to "try again in N ms" or "give up".
 * Delays double from `baseMs` up to `maxDelayMs`, each spread by `jitter` so the retries of a burst do not
 * come back at the same instant (AWS's "exponential backoff and jitter").
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. @defaultValue 14 */
  attempts: number;
  /** The wait before the second attempt; each further one doubles. @defaultValue 2000 */
  baseMs: number;
  /** No single wait is longer than this. @defaultValue 300000 */
  maxDelayMs: number;
  /** Spread of each wait, 0..1: 0.2 draws it from ±20% of the nominal delay. @defaultValue 0.2 */
  jitter: number;
}

/**
 * Waits of 2, 4, 8 … 256 s, then 5 min each: 14 attempts span about 33 minutes, so a provider outage of
 * tens of minutes delays reminders instead of failing them (a task's cut-off ends it sooner when late).
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 14, baseMs: 2000, maxDelayMs: 300_000, jitter: 0.2 };

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: "permanent" | "opted_out" | "exhausted" };

/** The nominal wait before attempt `attemptsMade + 1` (no jitter): base, 2 × base, 4 × base, … up to the cap. */
export function backoffMs(policy: RetryPolicy, attemptsMade: number): number {
  const exponent = Math.max(0, attemptsMade - 1);
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}

/**
 * Whether to try again after `attemptsMade` attempts (the failed one included) ended in `failure`, and when.
 * A provider's own Retry-After is honoured when it asks for longer than the backoff. A rate limit (429) is
 * always tried again, after its Retry-After (or the base wait) spread upwards by the jitter, never sooner:
 * it is the provider pacing us, not the message failing, so it does not count toward giving up.
 */
export function nextRetry(
  policy: RetryPolicy,
  attemptsMade: number,
  failure: ProviderFailure,
  opts: { retryAfterMs?: number; random?: () => number } = {},
): RetryDecision {
  if (failure === "permanent" || failure === "opted_out") return { retry: false, reason: failure };
  if (failure === "rate_limited") {
    const wait = opts.retryAfterMs ?? policy.baseMs;
    return { retry: true, delayMs: Math.round(wait * (1 + policy.jitter * (opts.random ?? Math.random)())) };
  }
  if (attemptsMade >= policy.attempts) return { retry: false, reason: "exhausted" };
  const nominal = backoffMs(policy, attemptsMade);
  const spread = nominal * policy.jitter * (2 * (opts.random ?? Math.random)() - 1);
  const delayMs = Math.max(0, Math.round(nominal + spread), opts.retryAfterMs ?? 0);
  return { retry: true, delayMs };
}

/** The longest a delivery or run can wait in all before it is given up (jitter aside): for documentation and alerts. */
export function retryBudgetMs(policy: RetryPolicy): number {
  let total = 0;
  for (let made = 1; made < policy.attempts; made++) total += backoffMs(policy, made);
  return total;
}
