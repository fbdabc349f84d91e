import type { Config } from "../config/index.js";
import type { Executor } from "../tasks/index.js";
import { OfflineExecutor } from "./executor.js";
import { offlineInterpreter, type Interpreter } from "./interpreter.js";
import type { LlmDeps } from "./llm/index.js";

/**
 * The interpreter and executor config asks for (see createInterpreter and createExecutor in llm/), with
 * the openai SDK loaded only when a model is configured: a process without one never pays for it.
 */
export async function loadInterpreter(config: Config, deps: LlmDeps): Promise<Interpreter> {
  if (config.INTERPRETER === "offline" || !config.OPENAI_API_KEY) return offlineInterpreter;
  return (await import("./llm/index.js")).createInterpreter(config, deps);
}

export async function loadExecutor(config: Config, deps: LlmDeps): Promise<Executor> {
  if (!config.OPENAI_API_KEY) return new OfflineExecutor();
  return (await import("./llm/index.js")).createExecutor(config, deps);
}
