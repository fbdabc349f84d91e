import type pg from "pg";
import type { Db } from "../db/index.js";
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from "../notify/slack/index.js";
import { recordEvent } from "../tasks/index.js";
import type { OpsNotifier } from "./notifier.js";
import { escapeMrkdwn } from "./sitrep-render.js";

/**
 * Tasks waiting for approval, posted to the ops channel with Approve / Reject buttons (the Slack adapter
 * routes a click to the admin actions).
 */

interface PendingRow {
  id: string;
  title: string;
  instruction: string;
  approval_reason: string | null;
  audience: string | null;
  channel: string;
  next_run_at: Date | null;
  rrule: string | null;
  owner: string | null;
}

/** The approval request message for one task (pure). */
export function approvalMessage(t: PendingRow): { text: string; blocks: unknown[] } {
  const when = t.rrule
    ? `repeats (${t.rrule})`
    : t.next_run_at
      ? `at ${t.next_run_at.toISOString().slice(0, 16).replace("T", " ")} UTC`
      : "unscheduled";
  const text = `Approval needed: "${t.title}" by ${t.owner ?? "unknown user"} (${t.approval_reason ?? "policy"})`;
  const detail = [
    `*Approval needed:* ${escapeMrkdwn(t.title)}`,
    `Owner: ${escapeMrkdwn(t.owner ?? "unknown")} · channel ${t.channel}${t.audience ? ` · audience ${escapeMrkdwn(t.audience)}` : ""} · ${escapeMrkdwn(when)}`,
    `Why it waits: ${escapeMrkdwn(t.approval_reason ?? "policy")}`,
    `> ${escapeMrkdwn(t.instruction.slice(0, 500))}`,
  ].join("\n");
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: detail } },
      {
        type: "actions",
        block_id: `herald_approval_${t.id}`,
        elements: [
          {
            type: "button",
            action_id: APPROVE_ACTION_ID,
            style: "primary",
            text: { type: "plain_text", text: "Approve" },
            value: t.id,
          },
          {
            type: "button",
            action_id: REJECT_ACTION_ID,
            style: "danger",
            text: { type: "plain_text", text: "Reject" },
            value: t.id,
          },
        ],
      },
    ],
  };
}

/**
 * Posts approval requests for pending tasks not posted yet (an `approval_posted` audit row marks them).
 * Nothing is posted, or marked, while Slack is not configured. Returns how many were posted.
 */
export async function postPendingApprovals(
  db: { pool: pg.Pool; prisma: Db },
  notifier: OpsNotifier,
  limit = 20,
): Promise<number> {
  if (!notifier.live) return 0;
  const { rows } = await db.pool.query<PendingRow>(
    `SELECT t.id, t.title, t.instruction, t.approval_reason, t.audience, t.channel::text AS channel, t.next_run_at, t.rrule,
            COALESCE(u.name, u.slack_user_id, u.console_name, u.email, u.id::text) AS owner
       FROM tasks t JOIN users u ON u.id = t.user_id
      WHERE t.status = 'pending_approval'
        AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.task_id = t.id AND a.action = 'approval_posted')
      ORDER BY t.next_run_at LIMIT $1`,
    [limit],
  );
  let posted = 0;
  for (const row of rows) {
    const r = await notifier.post(approvalMessage(row));
    if (!r.ok) break;
    await recordEvent(db.prisma, {
      actor: { kind: "system", name: "ops" },
      action: "approval_posted",
      taskId: row.id,
      after: { ts: r.ts ?? null },
    });
    posted++;
  }
  return posted;
}
