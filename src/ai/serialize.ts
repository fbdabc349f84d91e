import { toZonedIso } from "../time/index.js";
import type { Interpretation, Schedule } from "./types.js";

/** A schedule as JSON: instants as ISO 8601 in `tz` (a recurring rule's `next` in its own zone). */
function scheduleToJson(s: Schedule, tz: string): Record<string, unknown> {
  if (s.kind === "once") return { kind: "once", at: toZonedIso(s.at, tz) };
  if (s.kind === "recurring") return { kind: "recurring", rrule: s.rrule, next: toZonedIso(s.next, s.tz) };
  return { kind: "unspecified" };
}

/**
 * The JSON shape of `herald parse`: {intent, task, schedule} and whichever optional fields the
 * interpretation carries, with instants as ISO 8601 in the zone the request named (`zone`), else the
 * user's `tz`.
 */
export function interpretationToJson(i: Interpretation, tz: string): Record<string, unknown> {
  const zone = i.zone ?? tz;
  const out: Record<string, unknown> = {
    intent: i.intent,
    task: i.task,
    schedule: i.schedule && scheduleToJson(i.schedule, zone),
  };
  if (i.also?.length) out.also = i.also.map((s) => scheduleToJson(s, zone));
  if (i.edit) {
    const { schedule, ...rest } = i.edit;
    out.edit = schedule ? { ...rest, schedule: scheduleToJson(schedule, zone) } : rest;
  }
  if (i.ref) out.ref = i.ref.kind === "time" ? { kind: "time", at: toZonedIso(i.ref.at, zone) } : i.ref;
  for (const k of [
    "snoozeMinutes",
    "timezone",
    "zone",
    "limit",
    "channel",
    "audience",
    "question",
    "fragment",
  ] as const)
    if (i[k] !== undefined) out[k] = i[k];
  if (i.range) out.range = { from: toZonedIso(i.range.from, zone), to: toZonedIso(i.range.to, zone) };
  if (i.issues?.length) out.issues = i.issues;
  out.confidence = i.confidence;
  return out;
}
