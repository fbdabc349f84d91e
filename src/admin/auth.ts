import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { bearerToken, safeEqual } from "../http/index.js";

export { bearerToken, safeEqual };

/**
 * Admin authentication: the ADMIN_TOKEN as a bearer token, or a session cookie derived from it.
 * Comparisons are constant-time; the cookie never holds the token itself.
 */

export const SESSION_COOKIE = "herald_admin";

/** The session cookie's value for a token: an HMAC, so a leaked cookie does not reveal the token, and changing the token logs everyone out. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("herald-admin-session-v1").digest("base64url");
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

/** An operator's own token (ADMIN_TOKENS), so the audit log names who acted. */
export interface NamedToken {
  name: string;
  token: string;
}

/** The tokens the admin API accepts: the shared ADMIN_TOKEN and operators' named ones. */
export interface AdminCredentials {
  adminToken?: string;
  adminTokens?: readonly NamedToken[];
}

/** A named operator's session cookie: their name and an HMAC of it under their token. */
const namedSession = (t: NamedToken) =>
  `${t.name}.${createHmac("sha256", t.token).update(`herald-admin-session-v1:${t.name}`).digest("base64url")}`;

/** The session cookie for whoever signed in with `given` (a named token's cookie carries the name). */
export function sessionCookieFor(c: AdminCredentials, given: string, secure: boolean): string | null {
  const named = c.adminTokens?.find((t) => safeEqual(given, t.token));
  if (named)
    return `${SESSION_COOKIE}=${encodeURIComponent(namedSession(named))}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? "; Secure" : ""}`;
  return c.adminToken && safeEqual(given, c.adminToken) ? sessionCookie(c.adminToken, secure) : null;
}

export type Authenticated = { status: "ok"; actor: string } | { status: "off" } | { status: "denied" };

/**
 * Who a request is, as the audit log names them: a named operator ("admin:alice", ADMIN_TOKENS), or the
 * holder of the shared ADMIN_TOKEN by how they came ("admin:api" with the bearer token, "admin:web" with
 * the page's cookie). Never a name the caller sends. `via` labels the shared token's bearer ("api", "mcp").
 */
export function authenticate(req: Pick<IncomingMessage, "headers">, c: AdminCredentials, via = "api"): Authenticated {
  const named = c.adminTokens ?? [];
  if (!c.adminToken && named.length === 0) return { status: "off" };
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== null) {
    const who = named.find((t) => safeEqual(bearer, t.token));
    if (who) return { status: "ok", actor: `admin:${who.name}` };
    return c.adminToken && safeEqual(bearer, c.adminToken)
      ? { status: "ok", actor: `admin:${via}` }
      : { status: "denied" };
  }
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (cookie === undefined) return { status: "denied" };
  const who = named.find((t) => safeEqual(cookie, namedSession(t)));
  if (who) return { status: "ok", actor: `admin:${who.name}` };
  return c.adminToken && safeEqual(cookie, sessionValue(c.adminToken))
    ? { status: "ok", actor: "admin:web" }
    : { status: "denied" };
}

/** What to tell a caller when the admin API is off. */
export const ADMIN_OFF_MESSAGE =
  "The admin API is off: set ADMIN_TOKEN (16 characters or more, e.g. `openssl rand -hex 24`) in the environment or .env and restart Herald.";
