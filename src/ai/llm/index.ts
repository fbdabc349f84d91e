import type { Config } from "../../config/index.js";
import type { Logger } from "../../log/index.js";
import type { Executor } from "../../tasks/index.js";
import { OfflineExecutor } from "../executor.js";
import { offlineInterpreter, type Interpreter } from "../interpreter.js";
import { interpretOffline } from "../offline/index.js";
import { LlmClient, llmSettings, type LlmSettings } from "./client.js";
import { LlmExecutor, type LlmExecutorOptions } from "./executor.js";
import { LlmInterpreter, type LlmInterpreterOptions } from "./interpreter.js";
import type { OfflineFn } from "./resolve.js";
import { noUsageRecorder, type UsageRecorder } from "./usage.js";

/**
 * The LLM side of Herald (issues 3 and 4): an interpreter and an executor backed by any OpenAI-compatible
 * server, each falling back to the offline one. Without OPENAI_API_KEY both factories return the offline
 * implementations, so Herald runs with no model at all.
 */

export { LlmError, classifyLlmError, LlmClient, llmSettings, type LlmSettings, type UsageTotals } from "./client.js";
export { LlmInterpreter, AUTO_THRESHOLD, reasonToConsult, type LlmInterpreterOptions } from "./interpreter.js";
export { LlmExecutor, type LlmExecutorOptions } from "./executor.js";
export { PgUsageRecorder, noUsageRecorder, type UsageRecorder, type LlmCallRecord } from "./usage.js";
export { estimateCostUsd } from "./prices.js";

export interface LlmDeps {
  logger: Logger;
  /** Where each model call is recorded. @defaultValue records nothing */
  usage?: UsageRecorder;
  /** The offline interpreter. @defaultValue interpretOffline */
  offline?: OfflineFn;
  /** Overrides of the settings derived from config (tests shorten timeouts and retries). */
  settings?: Partial<LlmSettings>;
}

function client(config: Config, deps: LlmDeps): LlmClient | null {
  const s = llmSettings(config);
  return s ? new LlmClient({ ...s, ...deps.settings }, deps.usage ?? noUsageRecorder, deps.logger) : null;
}

/**
 * The interpreter config asks for. INTERPRETER=offline, or no OPENAI_API_KEY: the offline grammar.
 * auto: the offline reading when it is confident (at least 0.8), reports nothing it could not place and asks
 * nothing; the model otherwise (see reasonToConsult). llm: the model always (the offline reading still
 * cross-checks it). Both model modes answer with the offline reading when the model fails.
 */
export function createInterpreter(
  config: Config,
  deps: LlmDeps &
    Partial<Pick<LlmInterpreterOptions, "threshold" | "outputRetries" | "deadlineMs" | "maxCompletionTokens">>,
): Interpreter {
  const c = config.INTERPRETER === "offline" ? null : client(config, deps);
  if (!c) return offlineInterpreter;
  return new LlmInterpreter({
    client: c,
    logger: deps.logger,
    offline: deps.offline ?? interpretOffline,
    mode: config.INTERPRETER === "llm" ? "llm" : "auto",
    threshold: deps.threshold,
    outputRetries: deps.outputRetries,
    deadlineMs: deps.deadlineMs,
    maxCompletionTokens: deps.maxCompletionTokens,
  });
}

/** The executor config asks for: the model with tools when OPENAI_API_KEY is set, the plain reminder otherwise. */
export function createExecutor(
  config: Config,
  deps: LlmDeps & Partial<Pick<LlmExecutorOptions, "maxRounds" | "maxCompletionTokens" | "maxMessages" | "deadlineMs">>,
): Executor {
  const fallback = new OfflineExecutor();
  const c = client(config, deps);
  if (!c) return fallback;
  return new LlmExecutor({
    client: c,
    logger: deps.logger,
    offline: deps.offline ?? interpretOffline,
    fallback,
    maxRounds: deps.maxRounds,
    maxCompletionTokens: deps.maxCompletionTokens,
    maxMessages: deps.maxMessages,
    deadlineMs: deps.deadlineMs,
  });
}
