export type { Intent, Interpretation, InterpretContext, Schedule, TaskRef, Channel } from "./types.js";
export { INTENTS } from "./types.js";
export { offlineInterpreter, type Interpreter } from "./interpreter.js";
export { interpretationToJson } from "./serialize.js";
export { OfflineExecutor, formatReminder } from "./executor.js";
export { PgUsageRecorder, type UsageRecorder } from "./llm/usage.js";
export { loadInterpreter, loadExecutor } from "./load.js";
