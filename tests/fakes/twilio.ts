import { createHmac } from "node:crypto";
import { json, listen } from "./http.js";

/**
 * A fake Twilio REST API: POST /2010-04-01/Accounts/{Sid}/Messages.json, checking what Twilio checks
 * (Basic auth with the account SID and auth token, a form-encoded body with To, From and Body) and
 * answering with a Messages resource. `failNext` answers the next send with a Twilio error (21610 …).
 * `callback()` posts a signed status callback to the StatusCallback URL a message was sent with, and
 * `signature()` signs any webhook the way Twilio does, so tests can post inbound SMS to Herald.
 */
export interface SentSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
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

  const srv = await listen((req, body, res) => {
    const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString("base64")}`;
    if (req.headers.authorization !== auth)
      return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== path)
      return json(res, 404, { code: 20404, message: "The requested resource was not found", status: 404 });
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
    const sid = `SM${(++n).toString(16).padStart(32, "0")}`;
    sent.push({ sid, to: p.To, from: p.From, body: p.Body, statusCallback: p.StatusCallback });
    json(res, 201, {
      sid,
      account_sid: o.accountSid,
      to: p.To,
      from: p.From,
      body: p.Body,
      status: "queued",
      num_segments: "1",
      direction: "outbound-api",
      api_version: "2010-04-01",
      date_created: new Date().toUTCString(),
      error_code: null,
      error_message: null,
      uri: `${path.replace(".json", "")}/${sid}.json`,
    });
  });

  return {
    url: srv.url,
    sent,
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
