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
