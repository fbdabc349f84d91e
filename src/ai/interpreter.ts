import { interpretOffline } from "./offline/index.js";
import type { InterpretContext, Interpretation } from "./types.js";

/** Turns a message into an Interpretation. Offline, LLM or both (auto). */
export interface Interpreter {
  interpret(text: string, ctx: InterpretContext): Promise<Interpretation>;
}

export const offlineInterpreter: Interpreter = {
  async interpret(text, ctx) {
    return interpretOffline(text, ctx);
  },
};
