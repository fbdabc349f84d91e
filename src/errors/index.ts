/**
 * Herald's own failures carry a string code (herald_parse_no_time, herald_twilio_signature_invalid, …)
 * and a message that says what happened and what to do. Anything unknown is wrapped at the boundary.
 */
export class HeraldError extends Error {
  override name = "HeraldError";
  constructor(
    readonly code: string,
    message: string,
    readonly details: { retryable?: boolean; status?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause ? { cause: details.cause } : undefined);
  }
}

/** Wraps anything thrown into a HeraldError, keeping ours as they are. */
export function asHeraldError(err: unknown, code = "herald_unexpected"): HeraldError {
  if (err instanceof HeraldError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HeraldError(code, message, { cause: err });
}

/** A problem with an external service Herald cannot work without (Postgres, Redis), told in one line. */
export class UnavailableError extends HeraldError {
  override name = "UnavailableError";
}

/**
 * What a failed call to a provider (Twilio, Slack, SMTP, the model) means for trying again:
 * - retryable: it may pass later (network, 5xx, 429, a timeout);
 * - permanent: it will not (a bad number, a revoked token, a refused mailbox);
 * - opted_out: the recipient asked not to be messaged (SMS STOP, Twilio 21610); nothing is sent until they opt in;
 * - rate_limited: the provider asked us to slow down (HTTP 429): tried again after its Retry-After, and
 *   never counted as a failed attempt (no number of 429s gives a message up).
 */
export type ProviderFailure = "retryable" | "permanent" | "opted_out" | "rate_limited";

export interface ProviderErrorDetails {
  /** "twilio", "slack", "smtp", "openai", "console". */
  provider: string;
  /** The HTTP status or SMTP reply code, when there was one. */
  status?: number;
  /** The provider's own error code (Twilio 21610, Slack channel_not_found). */
  providerCode?: string | number;
  /** How long the provider asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one shape of a provider failure, thrown by every sender and by the model client, and read by the
 * retry policy (src/retry) for runs and deliveries alike.
 */
export class ProviderError extends HeraldError {
  override name = "ProviderError";
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly provider: ProviderErrorDetails,
  ) {
    super(`herald_${provider.provider}_${failure}`, message, {
      retryable: failure === "retryable" || failure === "rate_limited",
      status: provider.status,
      cause: provider.cause,
    });
  }
}

/** How a failure of unknown origin counts: a ProviderError says; anything else may pass on a retry. */
export function failureOf(err: unknown): ProviderFailure {
  if (err instanceof ProviderError) return err.failure;
  if (err instanceof HeraldError && err.details.retryable === false) return "permanent";
  return "retryable";
}
