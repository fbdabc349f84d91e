import type { InterpretContext, Interpretation } from "./types.js";

/** Turns a message into an Interpretation. Offline, LLM or both (auto). */
export interface Interpreter {
  interpret(text: string, ctx: InterpretContext): Promise<Interpretation>;
  /** Loads what the first interpret() would (an HTTP process does it at start, not while acks wait). */
  warm?(): Promise<void>;
}

let offline: Promise<typeof import("./offline/index.js")> | undefined;

/** The offline grammar, loaded on first use (chrono-node is a good part of an idle worker's memory). */
export const offlineInterpreter: Interpreter = {
  async interpret(text, ctx) {
    return (await (offline ??= import("./offline/index.js"))).interpretOffline(text, ctx);
  },
  async warm() {
    await (offline ??= import("./offline/index.js"));
  },
};
