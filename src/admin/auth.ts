import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Admin authentication: the ADMIN_TOKEN as a bearer token, or a session cookie derived from it.
 * Comparisons are constant-time; the cookie never holds the token itself.
 */

export const SESSION_COOKIE = "herald_admin";

/**
 * Constant-time string equality. Both sides are hashed first, so neither the content nor the length of
 * the secret leaks through timing (timingSafeEqual itself requires equal lengths).
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The session cookie's value for a token: an HMAC, so a leaked cookie does not reveal the token, and changing the token logs everyone out. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("herald-admin-session-v1").digest("base64url");
}

/** The bearer token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return m ? m[1]!.trim() : null;
}

/** Cookies of a `Cookie` header. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[name] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/** The Set-Cookie header that starts a session (HttpOnly, SameSite=Strict, scoped to /admin). */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? "; Secure" : ""}`;
}

export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0`;

export type AuthResult = "ok" | "off" | "denied";

/**
 * Whether a request may use the admin API or page: "off" when no ADMIN_TOKEN is configured,
 * "ok" for the right bearer token or session cookie, "denied" otherwise.
 */
export function authorize(req: Pick<IncomingMessage, "headers">, token: string | undefined): AuthResult {
  if (!token) return "off";
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== null) return safeEqual(bearer, token) ? "ok" : "denied";
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (cookie !== undefined) return safeEqual(cookie, sessionValue(token)) ? "ok" : "denied";
  return "denied";
}

/** What to tell a caller when the admin API is off. */
export const ADMIN_OFF_MESSAGE =
  "The admin API is off: set ADMIN_TOKEN (16 characters or more, e.g. `openssl rand -hex 24`) in the environment or .env and restart Herald.";
