import type { ExecutionInput, ExecutionResult, Executor } from "../tasks/index.js";
import { windowOfParams } from "./sitrep-command.js";
import { loadSitrep, type SitrepSource } from "./sitrep-data.js";
import { sitrepBlocks, sitrepText } from "./sitrep-render.js";
import { isSitrepTask } from "./subscriptions.js";

/**
 * Wraps the engine's executor so that sitrep subscriptions (tasks of kind "sitrep") produce the report for
 * the window they asked for, text and Slack blocks. It goes out through the outbox like every other
 * message, to the subscription's channel (its audience), with the outbox's retries and delivery counts.
 * Other tasks go to `inner` unchanged.
 */
export function withSitrepExecutor(inner: Executor, source: SitrepSource): Executor {
  return {
    // A sitrep only reads: as pure as the executor it wraps.
    pure: inner.pure,
    async execute(input: ExecutionInput): Promise<ExecutionResult> {
      if (!isSitrepTask(input.run.task)) return inner.execute(input);
      const window = windowOfParams(input.run.task.params);
      const s = await loadSitrep(source, window, input.now);
      return { message: sitrepText(s), blocks: sitrepBlocks(s), note: `sitrep (${window})` };
    },
  };
}
