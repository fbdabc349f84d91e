export { decideTurn, DRAFT_TTL_MS, ASK_TTL_MS } from "./step.js";
export { applyEdit } from "./edit.js";
export type { Action, DialogueState, Outcome, Reach, TaskView, Turn, TurnInput, CreateSpec } from "./types.js";
export { remindPhrase, toYou, scheduleText, whenText } from "./words.js";
export { HELP, NOT_UNDERSTOOD } from "./replies.js";
