import type { InterpretContext, Interpretation } from "./types.js";

/** Turns a message into an Interpretation. Offline, LLM or both (auto). */
export interface Interpreter {
  interpret(text: string, ctx: InterpretContext): Promise<Interpretation>;
}

let offline: Promise<typeof import("./offline/index.js")> | undefined;

/** The offline grammar, loaded on first use (chrono-node is a good part of an idle worker's memory). */
export const offlineInterpreter: Interpreter = {
  async interpret(text, ctx) {
    return (await (offline ??= import("./offline/index.js"))).interpretOffline(text, ctx);
  },
};
