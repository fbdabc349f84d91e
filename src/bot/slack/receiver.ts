import type { ServerResponse } from "node:http";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Handler } from "../../http/index.js";
import type { Logger } from "../../log/index.js";
import { malformed } from "./requests.js";
import { verifySlackRequest } from "./verify.js";

/** Slack gives up (and retries) after 3 s; an event nobody acked by then is acked empty just before. */
const ACK_DEADLINE_MS = 2_500;

export interface ReceiverOptions {
  signingSecret: string;
  logger: Logger;
  now?: () => number;
  /**
   * Runs after the signature check and before anything is acked: returns custom properties for the
   * listeners' context, or "duplicate" to ack without dispatching.
   */
  beforeDispatch?: (body: Record<string, unknown>, retryNum?: number) => Promise<Record<string, unknown> | "duplicate">;
}

/**
 * Bolt's transport for our one HTTP server: verifies the request, answers url_verification, and hands the
 * body to `app.processEvent` with an `ack` that writes the HTTP response. The route handler returns at
 * the ack, while the listeners go on with the slow work.
 */
export class HeraldReceiver implements Receiver {
  private app?: App;
  constructor(private readonly o: ReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** The server is the shared HttpServer, started and stopped by the runtime. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  readonly handler: Handler = async (req, res) => {
    const raw = req.rawBody.toString("utf8");
    const header = (n: string) => (typeof req.headers[n] === "string" ? (req.headers[n] as string) : undefined);
    const verdict = verifySlackRequest({
      secret: this.o.signingSecret,
      body: raw,
      timestamp: header("x-slack-request-timestamp"),
      signature: header("x-slack-signature"),
      nowMs: (this.o.now ?? Date.now)(),
    });
    if (!verdict.ok) {
      this.o.logger.warn({ reason: verdict.reason }, "rejected Slack request");
      return reply(res, 401, { error: verdict.reason });
    }
    const body = parseBody(raw, header("content-type") ?? "");
    if (!body)
      return reply(res, 400, {
        error: "unreadable Slack body: expected JSON (application/json), or a form with a payload or a command",
      });
    const wrong = malformed(body);
    if (wrong) {
      this.o.logger.warn({ reason: wrong }, "rejected a signed Slack request that is not something Slack sends");
      return reply(res, 400, { error: wrong });
    }
    if (body.type === "url_verification") return reply(res, 200, { challenge: body.challenge });
    // Slack probes slash command URLs with ssl_check=1; it only wants a 200.
    if (body.ssl_check) return reply(res, 200, "");
    if (!this.app) return reply(res, 503, { error: "Slack app not initialised" });

    const retryNum = header("x-slack-retry-num") ? Number(header("x-slack-retry-num")) : undefined;
    const custom = this.o.beforeDispatch ? await this.o.beforeDispatch(body, retryNum) : {};
    if (custom === "duplicate") return reply(res, 200, "");

    let acked!: () => void;
    const ackedP = new Promise<void>((r) => (acked = r));
    let done = false;
    const ack = async (response?: unknown) => {
      if (done) return;
      done = true;
      if (response === undefined || response === "") reply(res, 200, "");
      else reply(res, 200, typeof response === "string" ? { text: response } : response);
      acked();
    };
    const event: ReceiverEvent = {
      body,
      ack,
      retryNum,
      retryReason: header("x-slack-retry-reason"),
      customProperties: custom,
    };
    this.app
      .processEvent(event)
      .catch((err: Error) => this.o.logger.error({ err: err.message }, "Slack listener failed"));
    const timer = setTimeout(() => void ack(), ACK_DEADLINE_MS);
    await ackedP;
    clearTimeout(timer);
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (body === "") return void res.writeHead(status).end();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Events come as JSON; slash commands as a form; interactivity as a form with a JSON `payload` field; Slack's
 * ssl_check as a form too. Anything else (a JSON body labelled text/plain, a form with neither a payload nor
 * a command, JSON that is not an object) is not a Slack request: null.
 */
export function parseBody(raw: string, contentType: string): Record<string, unknown> | null {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const object = (v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  try {
    if (type === "application/json") return object(JSON.parse(raw));
    if (type !== "application/x-www-form-urlencoded") return null;
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === "string") return object(JSON.parse(form.payload));
    return form.command || form.ssl_check ? form : null;
  } catch {
    return null;
  }
}
