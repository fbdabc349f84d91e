export type {
  Intent,
  Interpretation,
  InterpretContext,
  Schedule,
  ScheduleEdit,
  Issue,
  Clock,
  TaskRef,
  Channel,
} from "./types.js";
export { INTENTS } from "./types.js";
export { offlineInterpreter, type Interpreter } from "./interpreter.js";
export { interpretationToJson } from "./serialize.js";
export { OfflineExecutor, formatReminder } from "./executor.js";
export { PgUsageRecorder, type UsageRecorder } from "./llm/usage.js";
export { loadInterpreter, loadExecutor } from "./load.js";

/** The interpreter `herald parse --interpreter offline|llm|auto` asks for (the openai SDK loads only for llm/auto). */
export async function interpreterForCli(kind: string): Promise<import("./interpreter.js").Interpreter> {
  return (await import("./llm/cli.js")).interpreterForCli(kind);
}
