import { describe, expect, it } from "vitest";
import {
  authorize,
  bearerToken,
  parseCookies,
  safeEqual,
  sessionCookie,
  sessionValue,
  SESSION_COOKIE,
} from "../../src/admin/auth.js";
import { decodeCursor, encodeCursor, parseFilters } from "../../src/admin/query.js";
import { escapeHtml, actionsFor } from "../../src/admin/html.js";

const TOKEN = "a-very-secret-admin-token";

describe("admin auth", () => {
  it("compares secrets in constant time, whatever their lengths", () => {
    expect(safeEqual(TOKEN, TOKEN)).toBe(true);
    expect(safeEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(safeEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(safeEqual("", TOKEN)).toBe(false);
  });

  it("is off without a token, and accepts only the right bearer token or session cookie", () => {
    expect(authorize({ headers: { authorization: `Bearer ${TOKEN}` } }, undefined)).toBe("off");
    expect(authorize({ headers: { authorization: `Bearer ${TOKEN}` } }, TOKEN)).toBe("ok");
    expect(authorize({ headers: { authorization: "Bearer nope" } }, TOKEN)).toBe("denied");
    expect(authorize({ headers: {} }, TOKEN)).toBe("denied");
    expect(authorize({ headers: { cookie: `a=b; ${SESSION_COOKIE}=${sessionValue(TOKEN)}` } }, TOKEN)).toBe("ok");
    expect(authorize({ headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } }, TOKEN)).toBe("denied");
  });

  it("sets an HttpOnly, SameSite=Strict cookie that does not contain the token", () => {
    const c = sessionCookie(TOKEN, true);
    expect(c).toContain("HttpOnly");
    expect(c).toContain("SameSite=Strict");
    expect(c).toContain("Secure");
    expect(c).not.toContain(TOKEN);
  });

  it("parses headers", () => {
    expect(bearerToken("Bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(parseCookies("x=1; y=a%20b")).toEqual({ x: "1", y: "a b" });
  });
});

describe("admin filters and cursors", () => {
  it("parses filters and rejects bad ones naming the parameter", () => {
    const f = parseFilters({
      status: "pending_approval",
      channel: "sms",
      dueFrom: "2026-11-25T00:00:00Z",
      limit: "10",
      text: "",
    });
    expect(f).toMatchObject({ status: "pending_approval", channel: "sms", limit: 10, text: undefined });
    expect(f.dueFrom?.toISOString()).toBe("2026-11-25T00:00:00.000Z");
    expect(() => parseFilters({ status: "sleeping" })).toThrow(/status/);
    expect(() => parseFilters({ limit: "1000" })).toThrow(/limit/);
    expect(() => parseFilters({ dueTo: "tomorrow-ish" })).toThrow(/dueTo/);
  });

  it("round-trips cursors and rejects forged ones", () => {
    const at = new Date("2026-11-25T10:00:00.123Z");
    const id = "0b6a4c1e-7d6f-4b43-9c43-2b9f0e1d2c3a";
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ createdAt: at, id });
    expect(() => decodeCursor("bm9wZQ")).toThrow(/cursor is not valid/);
  });

  it("escapes HTML and offers the actions that fit the status", () => {
    expect(escapeHtml(`<script>"x"&'y'</script>`)).toBe("&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;");
    expect(actionsFor({ status: "pending_approval" })).toEqual(["approve", "reject", "cancel"]);
    expect(actionsFor({ status: "cancelled" })).toEqual([]);
  });
});
