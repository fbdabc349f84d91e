import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { UnavailableError } from "../errors/index.js";
import type { Logger } from "../log/index.js";

export type Handler = (req: IncomingMessage & { rawBody: Buffer }, res: ServerResponse) => Promise<void> | void;

/** The one HTTP server: every webhook and endpoint registers a route here. */
export class HttpServer {
  private readonly routes = new Map<string, Handler>();
  private readonly prefixes: [string, Handler][] = [];
  private readonly observers: ((r: { method: string; route: string; status: number; ms: number }) => void)[] = [];
  readonly server: Server;

  constructor(
    private readonly logger: Logger,
    private readonly maxBodyBytes = 1_000_000,
  ) {
    this.server = createServer((req, res) => void this.dispatch(req, res));
  }

  /** `GET /healthz`; a path ending in `*` matches everything under it. */
  route(method: string, path: string, handler: Handler): void {
    if (path.endsWith("*")) this.prefixes.push([`${method} ${path.slice(0, -1)}`, handler]);
    else this.routes.set(`${method} ${path}`, handler);
  }

  /** Calls `fn` as each response is finished, with the route it matched and how long it took (ack time). */
  onResponse(fn: (r: { method: string; route: string; status: number; ms: number }) => void): void {
    this.observers.push(fn);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0]!;
    const key = `${req.method} ${path}`;
    const prefix = this.routes.has(key) ? undefined : this.prefixes.find(([p]) => key.startsWith(p));
    const handler = this.routes.get(key) ?? prefix?.[1];
    if (this.observers.length) {
      const route = handler ? (prefix ? `${prefix[0].slice(key.indexOf(" ") + 1)}*` : path) : "unmatched";
      res.once("finish", () => {
        const r = { method: req.method ?? "?", route, status: res.statusCode, ms: performance.now() - started };
        for (const fn of this.observers) fn(r);
      });
    }
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) return send(res, 413, { error: "request body too large" });
        chunks.push(chunk as Buffer);
      }
      if (!handler) return send(res, 404, { error: `no route for ${req.method} ${path}` });
      await handler(Object.assign(req, { rawBody: Buffer.concat(chunks) }), res);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, path }, "request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error; see the server log" });
      else res.end();
    }
  }

  /** @throws UnavailableError herald_port_in_use (one line naming PORT) when the port is taken. */
  listen(port: number, host = "0.0.0.0", variable = "PORT"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "EADDRINUSE" || err.code === "EACCES"
            ? new UnavailableError(
                "herald_port_in_use",
                `Cannot listen on port ${port} (${variable}): ${err.code === "EACCES" ? "not allowed" : "another process is using it"}; stop that process or set ${variable} to a free port`,
                { cause: err },
              )
            : err,
        ),
      );
      this.server.listen(port, host, () => {
        const addr = this.server.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections?.();
    });
  }
}

/** Writes a JSON (or, for a string body, plain text) response. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    ...headers,
  });
  res.end(text);
}
