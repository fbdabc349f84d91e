import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Slow, rate-limited providers for the bench's paced part: Slack's chat.postMessage and Twilio's Messages
 * API answering after `latencyMs` (300: what the real ones take), and limiting as they do: one message a
 * second per Slack channel, `smsPerSecond` per Twilio number, each with a burst of a tenth of a second's
 * worth (at least two: arrivals jitter by milliseconds however evenly they were sent), answering 429 with
 * Retry-After past it. They keep when each message was accepted, per channel or number, and count the 429s.
 */
export interface PacedFakes {
  url: string;
  accepted: Map<string, number[]>;
  limited: number;
  close(): Promise<void>;
}

export async function startPacedFakes(o: { latencyMs: number; slackPerSecond: number; smsPerSecond: number }) {
  const tat = new Map<string, number>();
  const fakes: PacedFakes = { url: "", accepted: new Map(), limited: 0, close: async () => {} };
  /** GCRA with that burst: whether a message on `key` fits the rate now. */
  const fits = (key: string, perSecond: number) => {
    const now = Date.now();
    const interval = 1000 / perSecond;
    const t = Math.max(now, tat.get(key) ?? 0);
    if (t - now > interval * Math.max(1, perSecond / 10 - 1)) return false;
    tat.set(key, t + interval);
    return true;
  };
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  let n = 0;
  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0]!;
    const form = new URLSearchParams(body);
    const slack = path === "/api/chat.postMessage";
    const key = slack ? `slack:${form.get("channel")}` : `sms:${form.get("From")}`;
    if (!slack && !/\/Messages\.json$/.test(path)) return answer(res, 404, { message: "not found" });
    if (!fits(key, slack ? o.slackPerSecond : o.smsPerSecond)) {
      fakes.limited++;
      return slack
        ? answer(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": "1" })
        : answer(res, 429, { code: 20429, message: "Too Many Requests", status: 429 }, { "retry-after": "1" });
    }
    const list = fakes.accepted.get(key) ?? [];
    list.push(Date.now());
    fakes.accepted.set(key, list);
    n++;
    setTimeout(() => {
      if (slack) answer(res, 200, { ok: true, channel: form.get("channel"), ts: `1700000000.${n}` });
      else
        answer(res, 201, {
          sid: `SM${String(n).padStart(32, "0")}`,
          to: form.get("To"),
          from: form.get("From"),
          body: form.get("Body"),
          status: "queued",
          date_created: new Date().toUTCString(),
        });
    }, o.latencyMs);
  };
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  fakes.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  fakes.close = () => new Promise((r) => srv.close(() => r()));
  srv.keepAliveTimeout = 5000;
  return fakes;
}

/** The most messages a key had accepted within any one second (how close Herald came to its limit). */
export function peakPerSecond(times: number[]): number {
  let best = 0;
  let from = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! - times[from]! >= 1000) from++;
    best = Math.max(best, i - from + 1);
  }
  return best;
}
