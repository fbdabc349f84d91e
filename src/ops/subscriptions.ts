import { type Actor, firstOccurrence, type TaskService } from "../tasks/index.js";
import { parseSitrepCommand, SITREP_KIND, SITREP_USAGE, sitrepParams } from "./sitrep-command.js";
import { loadSitrep, type SitrepSource } from "./sitrep-data.js";
import { sitrepBlocks, sitrepText } from "./sitrep-render.js";

/** `/sitrep` in Slack: reports, and subscriptions stored as tasks of the same engine (kind "sitrep"). */

export interface SlackReply {
  text: string;
  blocks?: unknown[];
}

export interface SitrepCommandDeps {
  source: SitrepSource;
  tasks: Pick<TaskService, "createForOperator" | "openOfKind" | "apply">;
  /** The Slack user's Herald user, created on first contact. */
  slackUser(slackUserId: string): Promise<{ id: string; timezone: string }>;
}

/** True for a task that is a sitrep subscription. */
export function isSitrepTask(task: { kind: string }): boolean {
  return task.kind === SITREP_KIND;
}

async function unsubscribe(d: SitrepCommandDeps, channelId: string, actor: Actor): Promise<number> {
  const open = await d.tasks.openOfKind(SITREP_KIND, channelId);
  for (const t of open)
    await d.tasks.apply(t.id, { action: "cancel" }, actor, {
      action: "sitrep_unsubscribe",
      details: { channel: channelId },
    });
  return open.length;
}

/**
 * Answers `/sitrep [1h|24h|7d]`, `/sitrep subscribe daily 9am|weekly [day] [time]|every N hours [window]`
 * and `/sitrep unsubscribe`. A subscription replaces the channel's previous one; it is an operator's
 * action, so it is created scheduled (no approval), owned by the subscribing user, with the channel as
 * audience: its report goes out through the outbox to that channel.
 */
export async function sitrepCommand(
  d: SitrepCommandDeps,
  args: { text: string; channelId: string; userId: string },
  now = new Date(),
): Promise<SlackReply> {
  const cmd = parseSitrepCommand(args.text);
  const actor: Actor = { kind: "admin", name: `slack:${args.userId}` };
  switch (cmd.kind) {
    case "report": {
      const s = await loadSitrep(d.source, cmd.window, now);
      return { text: sitrepText(s), blocks: sitrepBlocks(s) };
    }
    case "unsubscribe": {
      const n = await unsubscribe(d, args.channelId, actor);
      return {
        text: n
          ? "Unsubscribed: this channel gets no more scheduled sitreps."
          : "This channel has no sitrep subscription. `/sitrep subscribe daily 9am` starts one.",
      };
    }
    case "help":
      return { text: `${cmd.error ? `${cmd.error}\n` : ""}${SITREP_USAGE}` };
    case "subscribe": {
      const user = await d.slackUser(args.userId);
      const dtstart = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
      const next = firstOccurrence({ runAt: null, rrule: cmd.rrule, dtstart, timezone: user.timezone }, now);
      if (!next) return { text: `That schedule has no future occurrence.\n${SITREP_USAGE}` };
      const replaced = await unsubscribe(d, args.channelId, actor);
      await d.tasks.createForOperator(
        {
          userId: user.id,
          title: `Sitrep ${cmd.label}`,
          instruction: `Sitrep ${cmd.window}`,
          kind: SITREP_KIND,
          params: sitrepParams(cmd.window),
          when: { rrule: cmd.rrule, dtstart },
          timezone: user.timezone,
          channel: "slack",
          audience: args.channelId,
        },
        actor,
        { action: "sitrep_subscribe", details: { channel: args.channelId, rrule: cmd.rrule, window: cmd.window } },
      );
      return {
        text: `Subscribed: a ${cmd.window} sitrep ${cmd.label} (${user.timezone}) in this channel, first at ${next.toISOString().slice(0, 16).replace("T", " ")} UTC.${replaced ? " It replaces the previous subscription." : ""} \`/sitrep unsubscribe\` stops it.`,
      };
    }
  }
}
