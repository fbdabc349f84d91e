import type { AlertKey, Notification } from "./alerts.js";
import { escapeMrkdwn } from "./sitrep-render.js";

/**
 * What each alert says: what happened, how many, and what to look at. Pure.
 */
const minutes = (ms: number) => {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

const LOOK: Record<AlertKey, string> = {
  run_failed:
    'Look at `herald tasks list --status failed`, the admin page (/admin) or the worker log ("run failed for good"); `herald tasks retry <id>` runs one again.',
  delivery_failed:
    'Look at the channel\'s credentials and provider status, the `deliveries` table (status failed, error) and the worker log ("delivery failed for good").',
  timers_recreated:
    "Redis lost data (restart without persistence, flush or eviction): check Redis persistence (appendonly yes) and maxmemory-policy noeviction. Postgres still held every task; nothing was lost.",
  no_worker:
    "Start or restart `herald worker` (or `herald start`); check the process manager and that workers reach REDIS_URL.",
  backlog:
    "Workers are not keeping up or not running: check `herald sitrep` (queues, workers), the worker log, and WORKER_CONCURRENCY.",
  approval_overdue:
    "Approve or reject them on the admin page (/admin, waiting for approval) or with `herald tasks approve|reject <id>`; the owner is told either way.",
  llm_failing:
    "Check OPENAI_API_KEY, OPENAI_BASE_URL, the provider's status page and the `llm_calls` table (error); the offline interpreter keeps working meanwhile.",
};

function headline(n: Notification): string {
  const d = n.detail ? ` ${n.detail}` : "";
  switch (n.key) {
    case "run_failed":
      if (n.kind === "firing") return `A task run failed for good.${d}`;
      if (n.kind === "repeat")
        return `${plural(n.count, "more task run")} failed for good in the last ${minutes(n.durationMs)} (${n.total} in all).${d}`;
      return `No task run has failed for good for a while (${plural(n.total, "failure")} over ${minutes(n.durationMs)}).`;
    case "delivery_failed":
      if (n.kind === "firing") return `A delivery failed for good.${d}`;
      if (n.kind === "repeat")
        return `${plural(n.count, "more delivery", "more deliveries")} failed for good (${n.total} in ${minutes(n.durationMs)}).${d}`;
      return `Deliveries are going out again (${plural(n.total, "failure")} over ${minutes(n.durationMs)}).`;
    case "timers_recreated":
      if (n.kind === "recovered")
        return `No more timers have gone missing from Redis (${n.total} re-created over ${minutes(n.durationMs)}).`;
      return `The reconciler re-created ${plural(n.count, "timer")} missing from Redis.${d}`;
    case "no_worker":
      if (n.kind === "recovered") return `A fire worker is live again (none was for ${minutes(n.durationMs)}).${d}`;
      return `No live fire worker for ${minutes(n.durationMs)}: reminders are not firing.${d}`;
    case "backlog":
      if (n.kind === "recovered") return `The backlog has cleared (${plural(n.count, "task")} due but not started).`;
      return `${plural(n.count, "task")} due but not started (backlog) for ${minutes(n.durationMs)}.${d}`;
    case "approval_overdue":
      if (n.kind === "recovered") return "No task is held for approval past its due time any more.";
      return `${plural(n.count, "one-off task")} still held for approval past ${n.count === 1 ? "its" : "their"} due time.${d}`;
    case "llm_failing":
      if (n.kind === "recovered") return `LLM calls are succeeding again.`;
      return `The LLM is failing: ${plural(n.count, "failed call")} in a row.${d}`;
  }
}

const ICON: Record<Notification["kind"], string> = { firing: "🔴", repeat: "🟠", recovered: "✅" };

/** The message for one notification: text (for logs and notification previews) and blocks. */
export function formatAlert(n: Notification): { text: string; blocks: unknown[] } {
  const text = `${ICON[n.kind]} ${headline(n)}`;
  const look = n.kind === "recovered" ? "" : LOOK[n.key];
  return {
    text: look ? `${text}\n${look}` : text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(text).slice(0, 3000) } },
      ...(look ? [{ type: "context", elements: [{ type: "mrkdwn", text: look }] }] : []),
    ],
  };
}
