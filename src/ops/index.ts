import type { HttpServer } from "../http/index.js";
import type { Runtime } from "../runtime/index.js";

/** Operations: /sitrep, alerts, admin API and page, metrics. Mounted on the one HTTP server. */
export function mountOps(_http: HttpServer, _rt: Runtime): void {}

/** Hooks the engine calls when something needs an operator's attention. */
export interface OpsHooks {
  runFailed(info: { taskId: string; runId: string; error: string }): void;
  deliveryFailed(info: { id: string; channel: string; error: string }): void;
  timersRecreated(count: number): void;
}

export const noopOps: OpsHooks = { runFailed() {}, deliveryFailed() {}, timersRecreated() {} };

/**
 * Answers Slack's `/sitrep [1h|24h|7d]`, `/sitrep subscribe …`, `/sitrep unsubscribe` (the Slack adapter
 * routes the command here). Returns the message to post: text and Block Kit blocks.
 */
export async function handleSitrepCommand(_rt: Runtime, _args: { text: string; channelId: string; userId: string }): Promise<{ text: string; blocks?: unknown[] }> {
  return { text: "/sitrep is not available yet." };
}
