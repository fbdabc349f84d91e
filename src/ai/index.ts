export type { Intent, Interpretation, InterpretContext, Schedule, TaskRef, Channel } from "./types.js";
export { INTENTS } from "./types.js";
export { offlineInterpreter, type Interpreter } from "./interpreter.js";
export { interpretOffline } from "./offline/index.js";
export { interpretationToJson } from "./serialize.js";
export { OfflineExecutor, formatReminder } from "./executor.js";
export { createInterpreter, createExecutor, PgUsageRecorder, type UsageRecorder } from "./llm/index.js";
