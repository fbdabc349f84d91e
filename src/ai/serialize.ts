import { toZonedIso } from "../time/index.js";
import type { Interpretation } from "./types.js";

/** The JSON shape of `herald parse`: {intent, task, schedule} with instants as ISO 8601 in the user's zone. */
export function interpretationToJson(i: Interpretation, tz: string): Record<string, unknown> {
  const s = i.schedule;
  const schedule =
    s === null
      ? null
      : s.kind === "once"
        ? { kind: "once", at: toZonedIso(s.at, tz) }
        : s.kind === "recurring"
          ? { kind: "recurring", rrule: s.rrule, next: toZonedIso(s.next, s.tz) }
          : { kind: "unspecified" };
  const out: Record<string, unknown> = { intent: i.intent, task: i.task, schedule };
  if (i.ref) out.ref = i.ref.kind === "time" ? { kind: "time", at: toZonedIso(i.ref.at, tz) } : i.ref;
  for (const k of ["snoozeMinutes", "timezone", "channel", "audience", "question"] as const)
    if (i[k] !== undefined) out[k] = i[k];
  if (i.range) out.range = { from: toZonedIso(i.range.from, tz), to: toZonedIso(i.range.to, tz) };
  out.confidence = i.confidence;
  return out;
}
