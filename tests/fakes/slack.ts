import { createHmac } from "node:crypto";
import { json, listen } from "./http.js";

/**
 * A fake Slack: the Web API methods Herald calls (auth.test, users.info, conversations.open,
 * chat.postMessage) under /api/, checking what Slack checks (the bearer token, a form or JSON body),
 * plus response_url endpoints under /respond/. Everything received is kept in `calls` and `responses`.
 * `sign()` builds the headers Slack would send with a request to our /slack/events.
 */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** Why the fake refused the call (an HTTP 503, or an error it was told to answer); unset when it took it. */
  refused?: string;
}

export async function startFakeSlack(o: {
  token: string;
  signingSecret: string;
  users?: Record<string, { tz: string; name?: string }>;
}) {
  const calls: SlackCall[] = [];
  const responses: { path: string; body: Record<string, unknown> }[] = [];
  const failures = new Map<string, string>();
  const outages = new Map<string, number>();
  let ts = 1_700_000_000;

  const srv = await listen((req, body, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith("/respond/")) {
      if (!req.headers["content-type"]?.includes("application/json"))
        return json(res, 400, { ok: false, error: "invalid_content_type" });
      responses.push({ path, body: JSON.parse(body) as Record<string, unknown> });
      return json(res, 200, { ok: true });
    }
    const method = path.replace(/^\/api\//, "");
    if (req.method !== "POST") return json(res, 405, { ok: false, error: "method_not_allowed" });
    const ct = req.headers["content-type"] ?? "";
    const args = ct.includes("application/json")
      ? (JSON.parse(body || "{}") as Record<string, unknown>)
      : ct.includes("application/x-www-form-urlencoded")
        ? parseForm(body)
        : null;
    if (!args) return json(res, 200, { ok: false, error: "invalid_form_data" });
    if (req.headers.authorization !== `Bearer ${o.token}`) return json(res, 200, { ok: false, error: "invalid_auth" });
    const call: SlackCall = { method, args };
    calls.push(call);
    const down = outages.get(method) ?? 0;
    if (down > 0) {
      outages.set(method, down - 1);
      call.refused = "HTTP 503";
      return json(res, 503, { ok: false, error: "service_unavailable" });
    }
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      call.refused = failure;
      return json(res, 200, { ok: false, error: failure });
    }
    switch (method) {
      case "auth.test":
        return json(res, 200, { ok: true, user_id: "UHERALD", bot_id: "BHERALD", team_id: "T1", user: "herald" });
      case "users.info": {
        const id = String(args.user);
        const u = o.users?.[id];
        return json(
          res,
          200,
          u
            ? { ok: true, user: { id, name: u.name ?? id.toLowerCase(), real_name: u.name ?? id, tz: u.tz } }
            : { ok: false, error: "user_not_found" },
        );
      }
      case "conversations.open":
        return json(res, 200, { ok: true, channel: { id: `D${String(args.users)}` } });
      case "chat.postMessage": {
        if (!args.channel || (!args.text && !args.blocks)) return json(res, 200, { ok: false, error: "no_text" });
        return json(res, 200, { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: { text: args.text } });
      }
      default:
        return json(res, 200, { ok: false, error: "unknown_method" });
    }
  });

  return {
    url: srv.url,
    /** SLACK_API_URL for Herald. */
    apiUrl: `${srv.url}/api/`,
    calls,
    responses,
    /** The calls made to one method. */
    callsTo: (method: string) => calls.filter((c) => c.method === method),
    /** Makes the next call to `method` answer { ok: false, error }. */
    failNext: (method: string, error: string) => void failures.set(method, error),
    /** Makes the next `times` calls to `method` answer HTTP 503, as Slack does when it is having trouble. */
    unavailableNext: (method: string, times: number) => void outages.set(method, times),
    /** A response_url Herald may post to. */
    responseUrl: (id: string) => `${srv.url}/respond/${id}`,
    /** The headers Slack sends with `body`, signed at `at` (seconds). */
    sign(body: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
      // Computed here, not with Herald's helper, so a mistake there cannot hide in the test.
      const signature = `v0=${createHmac("sha256", o.signingSecret).update(`v0:${at}:${body}`).digest("hex")}`;
      return { "x-slack-request-timestamp": String(at), "x-slack-signature": signature };
    },
    close: srv.close,
  };
}

function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    // The Web API client sends objects and arrays (blocks) as JSON strings inside the form.
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
