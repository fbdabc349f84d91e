import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack rejects replays older than five minutes; so do we. https://api.slack.com/authentication/verifying-requests-from-slack */
export const MAX_SKEW_SECONDS = 5 * 60;

/** The string Slack signs: version, timestamp and the raw body, joined by colons. */
export const slackSignatureBase = (timestamp: string, body: string) => `v0:${timestamp}:${body}`;

/** The X-Slack-Signature value for a body (tests sign with this too). */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(slackSignatureBase(timestamp, body)).digest("hex")}`;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Checks X-Slack-Signature and X-Slack-Request-Timestamp against the raw body, at `nowMs`. */
export function verifySlackRequest(o: {
  secret: string;
  body: string;
  timestamp?: string;
  signature?: string;
  nowMs: number;
}): Verdict {
  if (!o.timestamp || !o.signature)
    return { ok: false, reason: "missing X-Slack-Signature or X-Slack-Request-Timestamp" };
  const ts = Number(o.timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: "X-Slack-Request-Timestamp is not a number" };
  if (Math.abs(Math.floor(o.nowMs / 1000) - ts) > MAX_SKEW_SECONDS)
    return {
      ok: false,
      reason: "X-Slack-Request-Timestamp is more than 5 minutes from now (replay, or a skewed clock)",
    };
  const want = Buffer.from(slackSignature(o.secret, o.timestamp, o.body));
  const got = Buffer.from(o.signature);
  if (want.length !== got.length || !timingSafeEqual(want, got))
    return { ok: false, reason: "X-Slack-Signature does not match (check SLACK_SIGNING_SECRET)" };
  return { ok: true };
}
