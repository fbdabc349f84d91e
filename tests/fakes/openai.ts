import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EditFields, Extraction, Moment, RecurrenceFields } from "../../src/ai/llm/extraction.js";

/**
 * A fake OpenAI Chat Completions server on 127.0.0.1:0, for tests that point the real openai SDK at it
 * through OPENAI_BASE_URL (`fake.url`, ending in /v1).
 *
 * It checks what OpenAI checks: POST /v1/chat/completions only, `Authorization: Bearer <key>`, a JSON
 * content type and a body with `model` and a non-empty `messages` array (401/400/404 otherwise, with
 * OpenAI's error body); a token cap (`max_completion_tokens` or the deprecated `max_tokens`, both accepted)
 * that is a positive integer; and a strict `json_schema` response format whose every object lists all its
 * properties in `required` and sets `additionalProperties: false`, nested at most 10 deep, as OpenAI's
 * structured outputs demand. `emulate(...)` adds the refusals of other servers (see Emulation).
 * Each request is recorded (`requests`; a refused one with `refused` set), then answered by the next
 * scripted step (`enqueue`), or by the default step (`always`) when the script has run out:
 *
 * - `reply.text(s)`, `reply.json(obj)`, `reply.tools([...])`: a 200 completion with usage
 * - `reply.error(429, { retryAfter: 1 })`, `reply.error(500)`: an error with OpenAI's body (and Retry-After)
 * - `reply.hang()`: accept the request and never answer (the client times out)
 * - `reply.malformed()`: a 200 completion whose content is not JSON
 *
 * A step may be a function of the request, to answer by what was asked.
 */

export interface RecordedRequest {
  at: number;
  headers: IncomingMessage["headers"];
  body: {
    model: string;
    messages: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
    tools?: { function: { name: string } }[];
    tool_choice?: unknown;
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
    max_tokens?: number;
    max_completion_tokens?: number;
    temperature?: number;
    [k: string]: unknown;
  };
  /** The 400's message, when the fake refused the request before the script saw it. */
  refused?: string;
}

/**
 * Servers that refuse more than the default fake:
 * - "reasoning-model": OpenAI's o-series and gpt-5 models, which refuse `max_tokens` ("Use
 *   'max_completion_tokens' instead", param max_tokens) and any `temperature` but 1 (param temperature);
 * - "legacy-server": an older OpenAI-compatible server that does not know `max_completion_tokens`
 *   ("Unrecognized request argument supplied", no param).
 */
export type Emulation = "reasoning-model" | "legacy-server";

export interface ToolCallSpec {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (to send broken JSON). */
  arguments: Record<string, unknown> | string;
}

export type Step =
  | {
      kind: "reply";
      content: string | null;
      toolCalls?: ToolCallSpec[];
      usage?: { prompt_tokens: number; completion_tokens: number };
      finishReason?: string;
    }
  | { kind: "error"; status: number; retryAfter?: number; message?: string; code?: string }
  | { kind: "hang" };

export type Script = Step | ((req: RecordedRequest) => Step);

const USAGE = { prompt_tokens: 120, completion_tokens: 30 };

/** Steps, by what they do. */
export const reply = {
  text: (content: string, usage = USAGE): Step => ({ kind: "reply", content, usage }),
  json: (value: unknown, usage = USAGE): Step => ({ kind: "reply", content: JSON.stringify(value), usage }),
  tools: (calls: ToolCallSpec[], usage = USAGE): Step => ({ kind: "reply", content: null, toolCalls: calls, usage }),
  malformed: (usage = USAGE): Step => ({ kind: "reply", content: '{"intent": "create", "task": ', usage }),
  error: (status: number, o: { retryAfter?: number; message?: string; code?: string } = {}): Step => ({
    kind: "error",
    status,
    ...o,
  }),
  hang: (): Step => ({ kind: "hang" }),
};

/**
 * Answers in the shape Herald's interpreter asks for (src/ai/llm/extraction.ts), every field present as
 * strict structured outputs return them: `interpretation({ intent: "list" })` is a valid answer.
 */
export const answer = {
  interpretation: (over: Partial<Extraction> = {}): Extraction => ({
    intent: "create",
    task: "call mom",
    when: null,
    lead_minutes: null,
    also: [],
    recurrence: null,
    edit: null,
    zone: null,
    ref: null,
    snooze_minutes: null,
    list_range: null,
    list_limit: null,
    channel: null,
    audience: null,
    fragment: false,
    issues: [],
    question: null,
    confidence: 0.9,
    ...over,
  }),
  moment: (over: Partial<Moment>): Moment => ({ text: "", in_minutes: null, day: null, time: null, ...over }),
  edit: (over: Partial<EditFields>): EditFields => ({
    text: "",
    times: [],
    day: null,
    weekdays: [],
    month_day: null,
    shift_minutes: null,
    in_minutes: null,
    title: null,
    ...over,
  }),
  recurrence: (over: Partial<RecurrenceFields>): RecurrenceFields => ({
    freq: "DAILY",
    interval: 1,
    byday: [],
    nth: [],
    except: [],
    monthdays: [],
    times: [],
    window: null,
    count: null,
    lasting: null,
    until: null,
    ...over,
  }),
};

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-request-id": `req_${randomBytes(6).toString("hex")}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
};

const apiError = (message: string, type: string, code: string | null = null, param: string | null = null) => ({
  error: { message, type, param, code },
});

type ApiError = ReturnType<typeof apiError>;

/** OpenAI's nesting limit for strict schemas. */
const MAX_SCHEMA_DEPTH = 10;

/** What OpenAI's strict structured outputs refuse in a JSON schema, or null when it is acceptable. */
function strictSchemaProblem(node: unknown, path: string, depth = 0): string | null {
  if (!node || typeof node !== "object") return null;
  const n = node as Record<string, unknown>;
  if (n.type === "object" || (Array.isArray(n.type) && n.type.includes("object"))) {
    if (depth > MAX_SCHEMA_DEPTH) return `${path}: more than ${MAX_SCHEMA_DEPTH} levels of nesting`;
    const keys = Object.keys((n.properties as object) ?? {});
    const required = Array.isArray(n.required) ? (n.required as string[]) : [];
    const missing = keys.filter((k) => !required.includes(k));
    if (missing.length)
      return `In context=${path}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    if (n.additionalProperties !== false)
      return `In context=${path}, 'additionalProperties' is required to be supplied and to be false.`;
  }
  type Schemas = Record<string, unknown> | undefined;
  // Properties and array items nest one level deeper; the branches of an anyOf (nullable) do not.
  const deeper = { ...(n.properties as Schemas), ...(n.$defs as Schemas), ...(n.items ? { items: n.items } : {}) };
  const branches = Array.isArray(n.anyOf) ? n.anyOf : [];
  for (const [k, v] of Object.entries(deeper)) {
    const problem = strictSchemaProblem(v, `${path}.${k}`, depth + 1);
    if (problem) return problem;
  }
  for (const v of branches) {
    const problem = strictSchemaProblem(v, path, depth);
    if (problem) return problem;
  }
  return null;
}

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Script[] = [];
  private fallback: Script = reply.text("");
  private emulation: Emulation | null = null;
  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
  ) {}

  /** Starts a server on 127.0.0.1 at a free port, accepting `apiKey`. */
  static async start(apiKey = `sk-test-${randomBytes(8).toString("hex")}`): Promise<FakeOpenAI> {
    let fake!: FakeOpenAI;
    const server = createServer((req, res) => void fake.handle(req, res));
    fake = new FakeOpenAI(server, apiKey);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** The base URL to give the SDK (OPENAI_BASE_URL). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Answers the next requests with these steps, in order. */
  enqueue(...steps: Script[]): this {
    this.script.push(...steps);
    return this;
  }

  /** Answers every request past the script with this step. */
  always(step: Script): this {
    this.fallback = step;
    return this;
  }

  /** Refuses requests as this other kind of server would (see Emulation). */
  emulate(kind: Emulation): this {
    this.emulation = kind;
    return this;
  }

  /** Stops the server, cutting hanging requests. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || req.url?.split("?")[0] !== "/v1/chat/completions") {
      return send(res, 404, apiError(`Invalid URL (${req.method} ${req.url})`, "invalid_request_error"));
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return send(res, 401, apiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return send(res, 400, apiError("Content-Type must be application/json", "invalid_request_error"));
    }
    let body: RecordedRequest["body"];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, apiError("We could not parse the JSON body of your request.", "invalid_request_error"));
    }
    if (typeof body?.model !== "string" || !Array.isArray(body.messages) || body.messages.length === 0) {
      return send(
        res,
        400,
        apiError("'model' and a non-empty 'messages' array are required.", "invalid_request_error"),
      );
    }
    if (body.stream) return send(res, 400, apiError("this fake does not stream", "invalid_request_error"));
    const refusal = this.refusal(body);
    const recorded: RecordedRequest = { at: Date.now(), headers: req.headers, body };
    if (refusal) recorded.refused = refusal.error.message;
    this.requests.push(recorded);
    if (refusal) return send(res, 400, refusal);
    const next = this.script.shift() ?? this.fallback;
    const step = typeof next === "function" ? next(recorded) : next;
    this.answer(res, step, body.model);
  }

  /** The 400 OpenAI (or the emulated server) would answer this body with, or null. */
  private refusal(body: RecordedRequest["body"]): ApiError | null {
    const invalid = (message: string, param: string | null = null, code: string | null = null) =>
      apiError(message, "invalid_request_error", code, param);
    for (const p of ["max_tokens", "max_completion_tokens"] as const) {
      const v = body[p];
      if (v !== undefined && v !== null && !(Number.isInteger(v) && v > 0))
        return invalid(`Invalid '${p}': expected a positive integer, got ${JSON.stringify(v)}.`, p, "invalid_value");
    }
    if (this.emulation === "reasoning-model") {
      if (body.max_tokens !== undefined)
        return invalid(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          "max_tokens",
          "unsupported_parameter",
        );
      if (body.temperature !== undefined && body.temperature !== 1)
        return invalid(
          `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
          "temperature",
          "unsupported_value",
        );
    }
    if (this.emulation === "legacy-server" && body.max_completion_tokens !== undefined)
      return invalid("Unrecognized request argument supplied: max_completion_tokens");
    const format = body.response_format;
    if (format?.type === "json_schema" && format.json_schema?.strict) {
      const problem = strictSchemaProblem(format.json_schema.schema, "()");
      if (problem)
        return invalid(
          `Invalid schema for response_format '${format.json_schema.name}': ${problem}`,
          "response_format",
          "invalid_json_schema",
        );
    }
    return null;
  }

  private answer(res: ServerResponse, step: Step, model: string): void {
    if (step.kind === "hang") return;
    if (step.kind === "error") {
      const headers: Record<string, string> =
        step.retryAfter !== undefined ? { "retry-after": String(step.retryAfter) } : {};
      const type =
        step.status === 429 ? "rate_limit_exceeded" : step.status >= 500 ? "server_error" : "invalid_request_error";
      return send(res, step.status, apiError(step.message ?? `fake ${step.status}`, type, step.code ?? null), headers);
    }
    const toolCalls = step.toolCalls?.map((c) => ({
      id: `call_${randomBytes(6).toString("hex")}`,
      type: "function",
      function: {
        name: c.name,
        arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
      },
    }));
    const usage = step.usage ?? USAGE;
    send(res, 200, {
      id: `chatcmpl-${randomBytes(8).toString("hex")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: step.content,
            refusal: null,
            ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: step.finishReason ?? (toolCalls?.length ? "tool_calls" : "stop"),
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }
}
