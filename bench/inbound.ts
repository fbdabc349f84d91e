/**
 * The bench's inbound part (issue #12): `herald serve` and two `herald worker` processes on a database and
 * Redis prefix of their own, and 250 signed Twilio webhooks a second for two seconds, each from its own
 * number with its own MessageSid. Reports how long each webhook took to be acked and how each was
 * answered: in the TwiML, or later through Twilio's REST API (a fake that counts per recipient).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { dropDatabase } from "../src/db/index.js";

export interface InboundOptions {
  databaseServer: string;
  redisUrl: string;
  prefix: string;
  /** Node flags for the worker processes (those of `npm run worker`). */
  nodeFlags: string[];
  perSecond: number;
  seconds: number;
  log: (msg: string) => void;
}

export interface InboundResult {
  ackMs: number[];
  sent: number;
  /** Messages answered at least once, and more than once. */
  answered: number;
  doubled: number;
  twiml: number;
  rest: number;
  /** Webhooks answered other than 200. */
  failed: number;
}

const ACCOUNT = `AC${"b".repeat(32)}`;
const TOKEN = "bench-auth-token";
const FROM = "+15550009999";
const PUBLIC_URL = "https://herald.bench.test";

/** Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted params, base64. */
const signature = (url: string, params: Record<string, string>) =>
  createHmac("sha1", TOKEN)
    .update(
      Object.keys(params)
        .sort()
        .reduce((acc, k) => acc + k + params[k], url),
      "utf8",
    )
    .digest("base64");

const BODIES = [
  (i: number) => `remind me in ${5 + (i % 50)} minutes to stretch`,
  (i: number) => `remind me tomorrow at ${1 + (i % 11)}pm to call mom`,
  (i: number) => `in ${1 + (i % 9)} hours remind me to take the laundry out`,
  (i: number) => `remind me every monday at 9am to send the report ${i}`,
  () => "what's next",
];

/** Twilio's Messages API, enough for Herald's sender: accepts, counts per recipient, lists nothing. */
async function fakeTwilio(latencyMs: number) {
  const byTo = new Map<string, number>();
  let n = 0;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    if (!/\/Messages\.json$/.test((req.url ?? "").split("?")[0]!)) return answer(res, 404, { message: "not found" });
    if (req.method === "GET") return answer(res, 200, { messages: [], next_page_uri: null, page: 0, page_size: 50 });
    const form = new URLSearchParams(body);
    const to = form.get("To") ?? "";
    byTo.set(to, (byTo.get(to) ?? 0) + 1);
    n++;
    setTimeout(
      () =>
        answer(res, 201, {
          sid: `SM${String(n).padStart(32, "0")}`,
          to,
          from: form.get("From"),
          body: form.get("Body"),
          status: "queued",
          date_created: new Date().toUTCString(),
        }),
      latencyMs,
    );
  };
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    byTo,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/** bin/herald.js, from bench/ or, compiled, from dist/bench/. */
const heraldBin = () =>
  [new URL("../bin/herald.js", import.meta.url), new URL("../../bin/herald.js", import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((p) => existsSync(p))!;

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`inbound: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function inboundBench(o: InboundOptions): Promise<InboundResult> {
  const databaseUrl = `${o.databaseServer}/herald_bench_inbound_${randomBytes(4).toString("hex")}`;
  const twilio = await fakeTwilio(50);
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    PORT: String(port),
    LOG_LEVEL: "warn",
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_FROM_NUMBER: FROM,
    TWILIO_API_URL: twilio.url,
    PUBLIC_URL,
    // A short code's rate, so the REST replies are not the bottleneck being measured.
    SMS_RATE_PER_S: "100",
  };
  const children: ChildProcess[] = [];
  const start = (cmd: string, flags: string[]) => {
    const c = spawn(process.execPath, [...flags, heraldBin(), cmd], { env, stdio: ["ignore", "ignore", "inherit"] });
    children.push(c);
    return c;
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    // serve first: it creates the database and applies the migrations the workers then find applied.
    start("serve", []);
    const local = `http://127.0.0.1:${port}`;
    await until("herald serve", async () => (await fetch(`${local}/readyz`)).ok, 60_000);
    start("worker", o.nodeFlags);
    start("worker", o.nodeFlags);
    await until(
      "two herald workers",
      async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM workers`)).rows[0]!.n >= 2,
      60_000,
    );
    o.log(`inbound: serve on ${port}, two workers up; ${o.perSecond}/s for ${o.seconds} s`);

    const total = o.perSecond * o.seconds;
    const ackMs: number[] = [];
    const twimlBy = new Map<string, number>();
    let failed = 0;
    const post = async (i: number) => {
      const from = `+1555${String(1_000_000 + i).padStart(7, "0")}`;
      const sid = `SM${randomBytes(16).toString("hex")}`;
      const params = {
        AccountSid: ACCOUNT,
        ApiVersion: "2010-04-01",
        Body: BODIES[i % BODIES.length]!(i),
        From: from,
        MessageSid: sid,
        NumMedia: "0",
        SmsMessageSid: sid,
        To: FROM,
      };
      const t0 = performance.now();
      const res = await fetch(`${local}/sms/inbound`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": signature(`${PUBLIC_URL}/sms/inbound`, params),
        },
        body: new URLSearchParams(params).toString(),
      }).catch(() => null);
      const text = res ? await res.text() : "";
      ackMs.push(performance.now() - t0);
      if (res?.status !== 200) failed++;
      else if (/<Message>/.test(text)) twimlBy.set(from, (twimlBy.get(from) ?? 0) + 1);
    };
    // Paced as Twilio would post them: evenly, a few every 20 ms.
    const inFlight: Promise<void>[] = [];
    const began = performance.now();
    for (let i = 0; i < total; i++) {
      const at = (i * 1000) / o.perSecond;
      const wait = at - (performance.now() - began);
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(post(i));
    }
    await Promise.all(inFlight);

    const froms = Array.from({ length: total }, (_, i) => `+1555${String(1_000_000 + i).padStart(7, "0")}`);
    const answers = (f: string) => (twimlBy.get(f) ?? 0) + (twilio.byTo.get(f) ?? 0);
    const deadline = Date.now() + 120_000;
    while (froms.some((f) => answers(f) === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // A little longer, for a reply sent twice to show up.
    await new Promise((r) => setTimeout(r, 3000));
    return {
      ackMs,
      sent: total,
      answered: froms.filter((f) => answers(f) >= 1).length,
      doubled: froms.filter((f) => answers(f) > 1).length,
      twiml: [...twimlBy.values()].reduce((a, b) => a + b, 0),
      rest: [...twilio.byTo.values()].reduce((a, b) => a + b, 0),
      failed,
    };
  } finally {
    await pool.end().catch(() => {});
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const kill = setTimeout(() => c.kill("SIGKILL"), 15_000);
            c.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill("SIGTERM");
          }),
      ),
    );
    await twilio.close();
    await dropDatabase(databaseUrl).catch((err) => o.log(`could not drop ${databaseUrl}: ${(err as Error).message}`));
  }
}
