import { UnrecoverableError } from "bullmq";
import type { Executor, ExecutionInput, ExecutionResult } from "../tasks/index.js";
import type { OpsNotifier } from "./notifier.js";
import { windowOfInstruction } from "./sitrep-command.js";
import { loadSitrep, type SitrepSource } from "./sitrep-data.js";
import { sitrepBlocks, sitrepText } from "./sitrep-render.js";
import { isSitrepTask } from "./subscriptions.js";

export interface SitrepExecutorDeps {
  source: SitrepSource;
  /** Posts to Slack (createNotifier); the message goes to the subscription's channel, not the ops channel. */
  notifier: OpsNotifier;
}

/**
 * Wraps the engine's executor so that sitrep subscriptions (tasks whose instruction is the sitrep marker)
 * post the report to their Slack channel (the task's audience) instead of messaging the owner. Other tasks
 * go to `inner` unchanged. A failed post throws, so the run is retried like any other.
 *
 * `deps` may be a function, read at the first sitrep run (the runtime's pieces may not exist yet when the
 * executor is built).
 */
export function withSitrepExecutor(inner: Executor, deps: SitrepExecutorDeps | (() => SitrepExecutorDeps)): Executor {
  let resolved: SitrepExecutorDeps | undefined;
  return {
    async execute(input: ExecutionInput): Promise<ExecutionResult> {
      if (!isSitrepTask(input.run.task)) return inner.execute(input);
      const d = (resolved ??= typeof deps === "function" ? deps() : deps);
      if (!d.notifier.live)
        throw new UnrecoverableError(
          "a sitrep subscription needs Slack: set SLACK_BOT_TOKEN (and SLACK_OPS_CHANNEL) or cancel it with /sitrep unsubscribe",
        );
      const { rows } = await d.source.pool.query<{ audience: string | null }>(
        `SELECT audience FROM tasks WHERE id = $1`,
        [input.run.task.id],
      );
      const channel = rows[0]?.audience;
      if (!channel)
        throw new UnrecoverableError(
          `sitrep subscription ${input.run.task.id} has no channel (audience); cancel it and subscribe again`,
        );
      const window = windowOfInstruction(input.run.task.instruction);
      const s = await loadSitrep(d.source, window, input.now);
      const posted = await d.notifier.post({ channel, text: sitrepText(s), blocks: sitrepBlocks(s) });
      if (!posted.ok) throw new Error(`could not post the sitrep to Slack channel ${channel}; will retry`);
      return { message: "", note: `sitrep (${window}) posted to ${channel}` };
    },
  };
}
