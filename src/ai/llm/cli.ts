import { ConfigError, loadConfig } from "../../config/index.js";
import { createLogger } from "../../log/index.js";
import type { Interpreter } from "../interpreter.js";
import { loadInterpreter } from "../load.js";

export type InterpreterKind = "offline" | "llm" | "auto";

/**
 * The interpreter for `herald parse --interpreter <kind>`. Reads config from the environment (and .env);
 * logs go to stderr so stdout stays one JSON document per line. Nothing is stored: parse promises that,
 * so model calls are not written to llm_calls (and no database is needed).
 * @throws ConfigError for an unknown kind, or for llm without OPENAI_API_KEY (auto without a key runs offline).
 */
export async function interpreterForCli(kind: string): Promise<Interpreter> {
  if (kind !== "offline" && kind !== "llm" && kind !== "auto")
    throw new ConfigError(`--interpreter must be offline, llm or auto (got ${JSON.stringify(kind)})`);
  const config = { ...loadConfig(), INTERPRETER: kind as InterpreterKind };
  if (kind === "llm" && !config.OPENAI_API_KEY)
    throw new ConfigError(
      "OPENAI_API_KEY is missing: --interpreter llm needs it (and OPENAI_BASE_URL for a server other than OpenAI); set it in the environment or in .env",
    );
  const logger = createLogger({
    level: config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL,
    pretty: false,
    destination: 2,
  });
  return loadInterpreter(config, { logger });
}
