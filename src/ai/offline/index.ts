import type { InterpretContext, Interpretation } from "../types.js";

/** Placeholder until the offline grammar lands. */
export function interpretOffline(text: string, ctx: InterpretContext): Interpretation {
  void text; void ctx;
  return { intent: "other", task: null, schedule: null, confidence: 0 };
}
