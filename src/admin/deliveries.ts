import { HeraldError } from "../errors/index.js";
import { recordEvent } from "../tasks/index.js";
import type { AdminDeps, DeliveryControl, ResendRequest } from "./actions.js";

export type { DeliveryControl, ResendRequest };

/**
 * Acting on deliveries: re-send failed ones (the same text, without running the task again) and pause a
 * channel during a provider incident (its deliveries wait as "held" and go out on resume). Each is
 * recorded in the audit log.
 */
function control(d: AdminDeps): DeliveryControl {
  if (!d.outbox) throw new HeraldError("herald_admin_bad_request", "Deliveries cannot be changed from this process.");
  return d.outbox;
}

export async function resendFailed(
  d: AdminDeps,
  f: ResendRequest,
  actor: string,
): Promise<{ resent: number; message: string }> {
  const resent = await control(d).resend(f);
  await recordEvent(d.prisma, {
    actor: { kind: "admin", name: actor },
    action: "resend",
    taskId: f.taskId ?? null,
    after: { resent, filter: JSON.parse(JSON.stringify(f)) as Record<string, unknown> },
  });
  return {
    resent,
    message: resent
      ? `Re-sending ${resent} failed deliver${resent === 1 ? "y" : "ies"}.`
      : "No failed delivery matches: nothing to re-send.",
  };
}

export async function setChannelPaused(
  d: AdminDeps & { channels: readonly string[] },
  r: { channel: string; paused: boolean; actor: string; reason?: string },
): Promise<{ message: string; released?: number }> {
  if (!d.channels.includes(r.channel))
    throw new HeraldError("herald_admin_bad_request", `channel must be one of ${d.channels.join(", ")}`);
  const c = control(d);
  let released: number | undefined;
  if (r.paused) await c.pause(r.channel, r.actor, r.reason ?? null);
  else released = await c.resume(r.channel);
  await recordEvent(d.prisma, {
    actor: { kind: "admin", name: r.actor },
    action: r.paused ? "channel_pause" : "channel_resume",
    taskId: null,
    after: { channel: r.channel, reason: r.reason ?? null, ...(released !== undefined ? { released } : {}) },
  });
  return r.paused
    ? { message: `Paused ${r.channel}: its messages wait until it is resumed.` }
    : { message: `Resumed ${r.channel}: ${released} held message${released === 1 ? "" : "s"} going out.`, released };
}
