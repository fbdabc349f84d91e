import { createHmac } from "node:crypto";
import { json, listen } from "./http.js";

/**
 * A fake Twilio REST API, checking what Twilio checks (Basic auth with the account SID and auth token):
 * - POST /2010-04-01/Accounts/{Sid}/Messages.json, a form-encoded body with To, From and Body, answered
 *   with a Messages resource (status queued, no date_sent yet);
 * - GET the same path: the account's messages, newest first, filtered as Twilio filters them by To, From
 *   and DateSent (exact, `DateSent<` and `DateSent>`; a message not sent yet has no date_sent and matches no
 *   DateSent filter), PageSize (default 50), in Twilio's page envelope.
 * `failNext` answers the next send with a Twilio error (21610 …); `failLists` makes lists fail with 500;
 * `beforeAccept` and `afterAccept` run around the moment a message is stored, before the answer is
 * written (a test kills Postgres connections there: the provider has the message, Herald does not know yet);
 * `delayMs` holds every answer back. `callback()` posts a signed status callback to the StatusCallback
 * URL a message was sent with (and dates it sent), and `signature()` signs any webhook the way Twilio does,
 * so tests can post inbound SMS to Herald.
 */
export interface SentSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  dateCreated: Date;
  dateSent: Date | null;
  status: string;
}

/** X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each POST param name and value, sorted by name. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

export async function startFakeTwilio(o: { accountSid: string; authToken: string }) {
  const sent: SentSms[] = [];
  let failure: { status: number; code: number; message: string } | null = null;
  let n = 0;
  const path = `/2010-04-01/Accounts/${o.accountSid}/Messages.json`;
  const hooks: {
    delayMs: number;
    failLists: boolean;
    beforeAccept?: (m: SentSms) => void | Promise<void>;
    afterAccept?: (m: SentSms) => void | Promise<void>;
  } = { delayMs: 0, failLists: false };
  const lists: URLSearchParams[] = [];

  const resource = (m: SentSms) => ({
    sid: m.sid,
    account_sid: o.accountSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    num_segments: "1",
    direction: "outbound-api",
    api_version: "2010-04-01",
    date_created: m.dateCreated.toUTCString(),
    date_updated: (m.dateSent ?? m.dateCreated).toUTCString(),
    date_sent: m.dateSent ? m.dateSent.toUTCString() : null,
    error_code: null,
    error_message: null,
    uri: `${path.replace(".json", "")}/${m.sid}.json`,
  });

  const list = (q: URLSearchParams, res: Parameters<typeof json>[0]) => {
    lists.push(q);
    if (hooks.failLists) return json(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    // DateSent is a day (YYYY-MM-DD) or, as the SDK serializes it, an ISO date-time.
    const day = (v: string | null) => (v ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v) : null);
    const exact = day(q.get("DateSent"));
    const before = day(q.get("DateSent<"));
    const after = day(q.get("DateSent>"));
    const size = Math.min(1000, Number(q.get("PageSize") ?? 50));
    const hits = sent
      .filter((m) => (!q.get("To") || m.to === q.get("To")) && (!q.get("From") || m.from === q.get("From")))
      .filter((m) => {
        if (!exact && !before && !after) return true;
        if (!m.dateSent) return false;
        if (exact && m.dateSent.toISOString().slice(0, 10) !== exact.toISOString().slice(0, 10)) return false;
        if (before && m.dateSent > before) return false;
        if (after && m.dateSent < after) return false;
        return true;
      })
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime() || (b.sid > a.sid ? 1 : -1))
      .slice(0, size);
    const uri = `${path}?${q.toString()}`;
    json(res, 200, {
      messages: hits.map(resource),
      end: Math.max(0, hits.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: size,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  };

  const srv = await listen(async (req, body, res) => {
    const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString("base64")}`;
    if (req.headers.authorization !== auth)
      return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    const [reqPath, query] = (req.url ?? "").split("?");
    if (reqPath !== path || (req.method !== "POST" && req.method !== "GET"))
      return json(res, 404, { code: 20404, message: "The requested resource was not found", status: 404 });
    if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
    if (req.method === "GET") return list(new URLSearchParams(query ?? ""), res);
    if (!req.headers["content-type"]?.includes("application/x-www-form-urlencoded"))
      return json(res, 400, { code: 21000, message: "form-encoded body expected", status: 400 });
    const p = Object.fromEntries(new URLSearchParams(body));
    if (!p.To || !p.From || !p.Body)
      return json(res, 400, { code: 21604, message: "A 'To', 'From' and 'Body' are required", status: 400 });
    if (failure) {
      const f = failure;
      failure = null;
      return json(res, f.status, {
        code: f.code,
        message: f.message,
        more_info: `https://www.twilio.com/docs/errors/${f.code}`,
        status: f.status,
      });
    }
    const msg: SentSms = {
      sid: `SM${(++n).toString(16).padStart(32, "0")}`,
      to: p.To,
      from: p.From,
      body: p.Body,
      statusCallback: p.StatusCallback,
      dateCreated: new Date(),
      dateSent: null,
      status: "queued",
    };
    await hooks.beforeAccept?.(msg);
    sent.push(msg);
    await hooks.afterAccept?.(msg);
    json(res, 201, resource(msg));
  });

  return {
    url: srv.url,
    sent,
    /** The settings that point Herald's SMS channel at this fake, sending from `from`, reached at `publicUrl`. */
    env: (from: string, publicUrl: string) => ({
      TWILIO_ACCOUNT_SID: o.accountSid,
      TWILIO_AUTH_TOKEN: o.authToken,
      TWILIO_FROM_NUMBER: from,
      TWILIO_API_URL: srv.url,
      PUBLIC_URL: publicUrl,
    }),
    /** Every list request's query, in order. */
    lists,
    hooks,
    /** The next send fails with this Twilio error. */
    failNext(status: number, code: number, message: string) {
      failure = { status, code, message };
    },
    signature: (url: string, params: Record<string, string>) => twilioSignature(o.authToken, url, params),
    /**
     * Posts a signed status callback for a sent message, as Twilio does when its status changes. It is
     * signed for the StatusCallback URL (PUBLIC_URL) and sent to `reach`, the origin Herald listens on,
     * as a reverse proxy in front of Herald would.
     */
    async callback(sid: string, status: string, reach: string, extra: Record<string, string> = {}): Promise<Response> {
      const msg = sent.find((s) => s.sid === sid);
      if (!msg?.statusCallback) throw new Error(`message ${sid} was sent without a StatusCallback`);
      msg.status = status;
      if (status === "sent" || status === "delivered") msg.dateSent ??= new Date();
      const params = {
        AccountSid: o.accountSid,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        To: msg.to,
        From: msg.from,
        ApiVersion: "2010-04-01",
        ...extra,
      };
      const target = new URL(msg.statusCallback);
      return fetch(`${reach}${target.pathname}${target.search}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilioSignature(o.authToken, msg.statusCallback, params),
        },
        body: new URLSearchParams(params).toString(),
      });
    },
    close: srv.close,
  };
}

export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;
