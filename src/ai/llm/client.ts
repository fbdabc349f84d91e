import OpenAI from "openai";
import type { ChatCompletion } from "openai/resources/chat/completions";
import type { Config } from "../../config/index.js";
import { HeraldError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";
import { type Adjustable, adapt, type Params, refusedParam } from "./compat.js";
import { estimateCostUsd } from "./prices.js";
import type { UsageRecorder } from "./usage.js";

/**
 * The one place Herald talks to a model: the openai SDK pointed at OPENAI_BASE_URL (OpenAI or any
 * compatible server), a per-request timeout, the SDK's bounded retries (which honour Retry-After and
 * retry 408/409/429/5xx and connection errors), every call timed and recorded in llm_calls, and every
 * failure turned into an LlmError classified by status.
 */

/** A failed model call, classified: `retryable` says whether asking again may help. */
export class LlmError extends HeraldError {
  override name = "LlmError";
  constructor(
    code: string,
    message: string,
    override readonly details: { retryable: boolean; status?: number; requestId?: string; cause?: unknown },
  ) {
    super(code, message, details);
  }
  get retryable(): boolean {
    return this.details.retryable;
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get requestId(): string | undefined {
    return this.details.requestId;
  }
}

/** Turns anything the SDK (or our output validation) throws into an LlmError. Pure. */
export function classifyLlmError(err: unknown): LlmError {
  if (err instanceof LlmError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError("herald_llm_timeout", "the model did not answer in time", { retryable: true, cause: err });
  if (err instanceof OpenAI.APIUserAbortError)
    return new LlmError("herald_llm_deadline", "the call ran past its deadline", { retryable: false, cause: err });
  if (err instanceof OpenAI.APIConnectionError)
    return new LlmError("herald_llm_unreachable", `cannot reach the model server: ${err.message}`, {
      retryable: true,
      cause: err,
    });
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const requestId = err.requestID ?? undefined;
    const d = (retryable: boolean) => ({ retryable, status, requestId, cause: err });
    if (status === 429) {
      // insufficient_quota is a 429 that no amount of waiting fixes.
      return err.code === "insufficient_quota"
        ? new LlmError("herald_llm_quota", "the model account is out of quota", d(false))
        : new LlmError("herald_llm_rate_limited", "the model server is rate limiting us", d(true));
    }
    if (status === 401 || status === 403)
      return new LlmError(
        "herald_llm_auth",
        `the model server refused our key (${status}); check OPENAI_API_KEY`,
        d(false),
      );
    if (status === 408 || status === 409 || (status !== undefined && status >= 500))
      return new LlmError("herald_llm_unavailable", `the model server failed (${status})`, d(true));
    return new LlmError(
      "herald_llm_rejected",
      `the model server rejected the request (${status}): ${err.message}`,
      d(false),
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError("herald_llm_unexpected", message, { retryable: false, cause: err });
}

/** An answer that does not follow the requested shape: another sample may, so it is retryable. */
export const invalidOutput = (why: string) =>
  new LlmError("herald_llm_invalid_output", `the model's answer was not usable: ${why}`, { retryable: true });

/** Connection settings, from config. */
export interface LlmSettings {
  apiKey: string;
  /** OpenAI-compatible base URL ending in /v1; the SDK's default (api.openai.com) when absent. */
  baseURL?: string;
  model: string;
  /** Per request, each retry gets a fresh one. @defaultValue 15000 */
  timeoutMs: number;
  /** Retries by the SDK on 408/409/429/5xx/connection errors, with backoff and Retry-After. @defaultValue 2 */
  maxRetries: number;
}

/** LlmSettings from config, or null when no OPENAI_API_KEY is set (Herald then runs offline). */
export function llmSettings(config: Config): LlmSettings | null {
  if (!config.OPENAI_API_KEY) return null;
  return {
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    maxRetries: 2,
  };
}

export interface CallOptions {
  purpose: "interpret" | "execute";
  taskId?: string;
  /** Aborts the call (and its retries) at the caller's wall-time bound. */
  signal?: AbortSignal;
}

/** Tokens and estimated cost of the calls made for one request or run. */
export interface UsageTotals {
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export const emptyTotals = (model: string): UsageTotals => ({
  model,
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
});

/** A chat-completions client that records each call and classifies each failure. */
export class LlmClient {
  readonly openai: OpenAI;
  readonly model: string;
  /** Parameters this server has refused (compat.ts): dropped or renamed on every later call. */
  private readonly refused = new Set<Adjustable>();

  constructor(
    readonly settings: LlmSettings,
    private readonly usage: UsageRecorder,
    private readonly logger: Logger,
  ) {
    this.openai = new OpenAI({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL,
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
    });
    this.model = settings.model;
  }

  /**
   * One chat completion (the SDK's retries included), read by `read` (which throws `invalidOutput` for an
   * answer of the wrong shape), and recorded in llm_calls as ok only when both succeed.
   * `totals`, when given, accumulates the tokens and cost.
   * @throws LlmError
   */
  async complete<T>(params: Params, o: CallOptions, read: (c: ChatCompletion) => T, totals?: UsageTotals): Promise<T> {
    const started = Date.now();
    let completion: ChatCompletion | undefined;
    let failure: LlmError | undefined;
    try {
      completion = await this.create(params, o.signal);
      return read(completion);
    } catch (err) {
      failure = classifyLlmError(err);
      throw failure;
    } finally {
      const promptTokens = completion?.usage?.prompt_tokens ?? 0;
      const completionTokens = completion?.usage?.completion_tokens ?? 0;
      const costUsd = estimateCostUsd(this.model, promptTokens, completionTokens);
      if (totals) {
        totals.calls += 1;
        totals.promptTokens += promptTokens;
        totals.completionTokens += completionTokens;
        totals.costUsd += costUsd;
      }
      const ms = Date.now() - started;
      if (failure)
        this.logger.warn(
          { purpose: o.purpose, code: failure.code, status: failure.status, requestId: failure.requestId, ms },
          "LLM call failed",
        );
      else this.logger.debug({ purpose: o.purpose, ms, promptTokens, completionTokens }, "LLM call");
      await this.usage.record({
        purpose: o.purpose,
        model: this.model,
        ok: !failure,
        promptTokens,
        completionTokens,
        costUsd,
        ms,
        error: failure ? `${failure.code}: ${failure.message}` : null,
        taskId: o.taskId ?? null,
      });
    }
  }

  /** The SDK call, resent without a parameter the server refuses (at most once per parameter, see compat.ts). */
  private async create(params: Params, signal?: AbortSignal): Promise<ChatCompletion> {
    for (;;) {
      const sent = adapt(params, this.refused);
      try {
        return await this.openai.chat.completions.create({ ...sent, model: this.model }, { signal });
      } catch (err) {
        const p = refusedParam(err, sent);
        if (!p || this.refused.has(p)) throw err;
        this.refused.add(p);
        this.logger.info({ model: this.model, param: p }, "the model server refuses a parameter; resending without it");
      }
    }
  }
}
