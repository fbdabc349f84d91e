import type { Runtime } from "../runtime/index.js";
import { firstOccurrence } from "../tasks/index.js";
import { audit, insertScheduledTask } from "./admin.js";
import {
  parseSitrepCommand,
  SITREP_MARKER,
  SITREP_USAGE,
  sitrepInstruction,
  windowOfInstruction,
} from "./sitrep-command.js";
import { loadSitrep, sourceOf } from "./sitrep-data.js";
import { sitrepBlocks, sitrepText } from "./sitrep-render.js";

/** `/sitrep` in Slack: reports, and subscriptions stored as tasks of the same engine. */

export interface SlackReply {
  text: string;
  blocks?: unknown[];
}

/** True for a task that is a sitrep subscription (its instruction is the sitrep marker). */
export function isSitrepTask(task: { instruction: string }): boolean {
  return task.instruction.startsWith(SITREP_MARKER);
}

/**
 * The message a sitrep subscription posts when it fires: the report for the window it asked for, and
 * the Slack channel to post it in (the task's audience; read from the database when not given).
 */
export async function renderSitrepForTask(
  rt: Runtime,
  task: { id?: string; instruction: string; audience?: string | null },
): Promise<SlackReply & { channel: string | null }> {
  let channel = task.audience ?? null;
  if (task.audience === undefined && task.id)
    channel =
      (await rt.db.prisma.task.findUnique({ where: { id: task.id }, select: { audience: true } }))?.audience ?? null;
  const s = await loadSitrep(sourceOf(rt), windowOfInstruction(task.instruction));
  return { text: sitrepText(s), blocks: sitrepBlocks(s), channel };
}

/** Active subscriptions of a Slack channel (through the partial index on sitrep tasks). */
async function subscriptionsOf(rt: Runtime, channelId: string): Promise<string[]> {
  const { rows } = await rt.db.pool.query<{ id: string }>(
    `SELECT id FROM tasks WHERE starts_with(instruction, '${SITREP_MARKER}') AND audience = $1 AND status IN ('scheduled', 'paused', 'running', 'pending_approval')`,
    [channelId],
  );
  return rows.map((r) => r.id);
}

async function unsubscribe(rt: Runtime, channelId: string, actor: string): Promise<number> {
  const ids = await subscriptionsOf(rt, channelId);
  for (const id of ids) {
    await rt.tasks.cancel(id);
    await audit(rt, actor, "sitrep_unsubscribe", id, { channel: channelId });
  }
  return ids.length;
}

/** The Slack user's Herald user (created on first contact, in the default time zone). */
async function slackUser(rt: Runtime, slackUserId: string) {
  const found = await rt.db.prisma.user.findUnique({ where: { slackUserId } });
  if (found) return found;
  return rt.db.prisma.user.upsert({
    where: { slackUserId },
    update: {},
    create: { slackUserId, timezone: rt.config.DEFAULT_TIMEZONE, preferredChannel: "slack" },
  });
}

/**
 * Answers `/sitrep [1h|24h|7d]`, `/sitrep subscribe daily 9am|weekly [day] [time]|every N hours [window]`
 * and `/sitrep unsubscribe`. A subscription replaces the channel's previous one; it is an operator's
 * action, so it is created scheduled (no approval), owned by the subscribing user, with the channel as audience.
 */
export async function sitrepCommand(
  rt: Runtime,
  args: { text: string; channelId: string; userId: string },
  now = new Date(),
): Promise<SlackReply> {
  const cmd = parseSitrepCommand(args.text);
  const actor = `slack:${args.userId}`;
  switch (cmd.kind) {
    case "report": {
      const s = await loadSitrep(sourceOf(rt), cmd.window, now);
      return { text: sitrepText(s), blocks: sitrepBlocks(s) };
    }
    case "unsubscribe": {
      const n = await unsubscribe(rt, args.channelId, actor);
      return {
        text: n
          ? "Unsubscribed: this channel gets no more scheduled sitreps."
          : "This channel has no sitrep subscription. `/sitrep subscribe daily 9am` starts one.",
      };
    }
    case "help":
      return { text: `${cmd.error ? `${cmd.error}\n` : ""}${SITREP_USAGE}` };
    case "subscribe": {
      const user = await slackUser(rt, args.userId);
      const dtstart = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
      const timing = { runAt: null, rrule: cmd.rrule, dtstart, timezone: user.timezone };
      const next = firstOccurrence(timing, now);
      if (!next) return { text: `That schedule has no future occurrence.\n${SITREP_USAGE}` };
      const replaced = await unsubscribe(rt, args.channelId, actor);
      const task = await insertScheduledTask(
        rt,
        {
          userId: user.id,
          title: `Sitrep ${cmd.label}`,
          instruction: sitrepInstruction(cmd.window),
          rrule: cmd.rrule,
          dtstart,
          timezone: user.timezone,
          nextRunAt: next,
          channel: "slack",
          audience: args.channelId,
        },
        now,
      );
      await audit(rt, actor, "sitrep_subscribe", task.id, {
        channel: args.channelId,
        rrule: cmd.rrule,
        window: cmd.window,
      });
      return {
        text: `Subscribed: a ${cmd.window} sitrep ${cmd.label} (${user.timezone}) in this channel, first at ${next.toISOString().slice(0, 16).replace("T", " ")} UTC.${replaced ? " It replaces the previous subscription." : ""} \`/sitrep unsubscribe\` stops it.`,
      };
    }
  }
}
