import rrulePkg from "rrule";
import { instantToWall, wallToInstant } from "./zone.js";

// rrule ships a UMD bundle to Node: its named exports are only reachable through the default export.
const { rrulestr } = rrulePkg;

/**
 * Recurrence is stored as an RFC 5545 RRULE (no DTSTART) plus an IANA zone and an anchor instant.
 *
 * rrule.js handles zones poorly (its TZID support shifts times across DST), so the rule is expanded in
 * "floating" time: wall-clock readings in the task's zone are encoded as if they were UTC, expanded,
 * then each reading is turned back into a real instant in the zone. "Every day at 9" thus stays at
 * 09:00 local on both sides of a DST change.
 */
export interface Recurrence {
  /** RRULE body without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0 */
  rrule: string;
  /** IANA zone the rule's wall times are in. */
  tz: string;
  /** First possible occurrence (DTSTART): anchors INTERVAL and COUNT. */
  start: Date;
}

const floating = (instant: Date, tz: string): Date => {
  const w = instantToWall(instant, tz);
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0));
};

const unfloat = (f: Date, tz: string): Date =>
  wallToInstant(
    {
      year: f.getUTCFullYear(),
      month: f.getUTCMonth() + 1,
      day: f.getUTCDate(),
      hour: f.getUTCHours(),
      minute: f.getUTCMinutes(),
      second: f.getUTCSeconds(),
    },
    tz,
  );

// In floating time these periods have a fixed length, so whole periods can be skipped without
// changing which readings the rule produces.
const PERIOD_MS: Record<string, number> = {
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: 86_400_000,
  WEEKLY: 7 * 86_400_000,
};

function parse(rec: Recurrence, near?: Date) {
  const body = rec.rrule.replace(/^RRULE:/i, "");
  let dtstart = floating(rec.start, rec.tz);
  // rrule.js expands from DTSTART every time: a 5-minute rule started months ago would walk ~100,000
  // readings per call. Without COUNT, moving DTSTART forward by whole INTERVALs is equivalent.
  const freq = /(?:^|;)FREQ=(\w+)/i.exec(body)?.[1]?.toUpperCase();
  const period = freq ? PERIOD_MS[freq] : undefined;
  if (near && period && !/(?:^|;)COUNT=/i.test(body)) {
    const step = period * Number(/(?:^|;)INTERVAL=(\d+)/i.exec(body)?.[1] ?? 1);
    const skip = Math.floor((floating(near, rec.tz).getTime() - dtstart.getTime()) / step) - 2;
    if (skip > 0) dtstart = new Date(dtstart.getTime() + skip * step);
  }
  return rrulestr(`RRULE:${body}`, { dtstart });
}

/** Throws with a readable message when `rrule` is not a valid RRULE body. */
export function validateRrule(rrule: string): void {
  parse({ rrule, tz: "UTC", start: new Date(0) });
}

/** The first occurrence strictly after `after`, or null when the rule has ended (UNTIL/COUNT). */
export function nextOccurrence(rec: Recurrence, after: Date): Date | null {
  const rule = parse(rec, after);
  // Step through floating candidates: around a DST change a floating time can map back to an instant
  // at or before `after`, so keep going until the real instant is later.
  let cursor = new Date(floating(after, rec.tz).getTime() - 2 * 3600_000);
  for (let i = 0; i < 1000; i++) {
    const f = rule.after(cursor, false);
    if (!f) return null;
    const real = unfloat(f, rec.tz);
    if (real.getTime() > after.getTime()) return real;
    cursor = f;
  }
  return null;
}

/** The latest occurrence at or before `at`, or null when there is none. */
export function previousOccurrence(rec: Recurrence, at: Date): Date | null {
  const rule = parse(rec, at);
  let cursor = new Date(floating(at, rec.tz).getTime() + 2 * 3600_000);
  for (let i = 0; i < 1000; i++) {
    const f = rule.before(cursor, true);
    if (!f) return null;
    const real = unfloat(f, rec.tz);
    if (real.getTime() <= at.getTime()) return real;
    cursor = new Date(f.getTime() - 1);
  }
  return null;
}

/** The next `n` occurrences after `after`. */
export function upcoming(rec: Recurrence, after: Date, n: number): Date[] {
  const out: Date[] = [];
  let cursor = after;
  while (out.length < n) {
    const next = nextOccurrence(rec, cursor);
    if (!next) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

/**
 * The shortest gap between consecutive occurrences over the next `sample` occurrences, in ms.
 * Used by policy: "recurs more often than every 5 minutes" is refused, "more often than hourly" needs approval.
 */
export function minimumInterval(rec: Recurrence, after: Date, sample = 50): number {
  const times = upcoming(rec, after, sample);
  let min = Infinity;
  for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]!.getTime() - times[i - 1]!.getTime());
  return min;
}

/** A short English reading of the rule: "every day at 9:00 AM", "every Mon, Thu at 8:00 AM". */
export function describeRrule(rrule: string): string {
  try {
    return rrulestr(`RRULE:${rrule.replace(/^RRULE:/i, "")}`).toText();
  } catch {
    return rrule;
  }
}
