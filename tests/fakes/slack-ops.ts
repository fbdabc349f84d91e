import { createServer, type Server } from "node:http";

/**
 * A fake of the part of Slack's Web API that ops uses: POST /api/chat.postMessage. It checks what Slack
 * checks (a bearer token it knows, a channel, text or blocks), answers as Slack does (HTTP 200 with
 * `ok: false` and an error code on failure), and records every accepted message.
 *
 * Point the client at it with SLACK_API_URL = fake.url (ends in /api/).
 */
export interface PostedMessage {
  channel: string;
  text: string;
  blocks: unknown[] | null;
  token: string;
}

export class FakeSlackOps {
  readonly posted: PostedMessage[] = [];
  /** Every request, accepted or not: method name and the error returned, if any. */
  readonly calls: { method: string; error: string | null }[] = [];
  private server: Server | null = null;
  url = "";

  constructor(
    readonly token = "xoxb-fake-ops-token",
    readonly knownChannels: string[] = ["C0PS"],
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0]!;
        const reply = (body: Record<string, unknown>) => {
          this.calls.push({ method, error: body.ok ? null : String(body.error) });
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        if (!auth) return reply({ ok: false, error: "not_authed" });
        if (auth !== this.token) return reply({ ok: false, error: "invalid_auth" });
        if (method !== "chat.postMessage") return reply({ ok: false, error: "unknown_method" });
        const raw = Buffer.concat(chunks).toString("utf8");
        const form: Record<string, unknown> = (req.headers["content-type"] ?? "").includes("application/json")
          ? (JSON.parse(raw) as Record<string, unknown>)
          : Object.fromEntries(new URLSearchParams(raw).entries());
        const channel = String(form.channel ?? "");
        if (!channel) return reply({ ok: false, error: "channel_not_found" });
        if (!this.knownChannels.includes(channel)) return reply({ ok: false, error: "not_in_channel" });
        const blocks =
          typeof form.blocks === "string"
            ? (JSON.parse(form.blocks) as unknown[])
            : ((form.blocks as unknown[] | undefined) ?? null);
        if (!form.text && !blocks) return reply({ ok: false, error: "no_text" });
        this.posted.push({ channel, text: String(form.text ?? ""), blocks, token: auth });
        reply({ ok: true, channel, ts: `${Date.now() / 1000}`, message: { text: form.text } });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/api/`;
    return this;
  }

  /** Environment for a runtime that posts here. */
  env(channel = "C0PS"): Record<string, string> {
    return {
      SLACK_BOT_TOKEN: this.token,
      SLACK_SIGNING_SECRET: "fake-signing-secret",
      SLACK_API_URL: this.url,
      SLACK_OPS_CHANNEL: channel,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
  }
}
