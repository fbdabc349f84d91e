import { normalize } from "./normalize.js";
import { smallNumber } from "./numbers.js";

/** Minutes per unit word, in the spellings people type. */
const UNIT_MINUTES: Array<[RegExp, number]> = [
  [/^(seconds?|secs?|s)$/, 1 / 60],
  [/^(minutes?|mins?|m)$/, 1],
  [/^(hours?|hrs?|hr|h)$/, 60],
  [/^(days?|d)$/, 1440],
  [/^(weeks?|wks?|w)$/, 10080],
  [/^(fortnights?)$/, 20160],
];

/** Calendar units kept apart: a month is not a fixed number of minutes. */
export type DurationUnit = "minute" | "hour" | "day" | "week" | "month" | "year";

export const UNIT_WORD =
  "(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|hr|days?|weeks?|wks?|fortnights?|months?|years?)";
const COUNT = "(?:\\d+(?:\\.\\d+)?|an?|a few|a couple of|couple of|few)";
/** One amount: "2 hours", "an hour and a half", "1 hour 30 minutes", "90 min". */
export const DURATION = `${COUNT} ${UNIT_WORD}(?: and a half)?(?:(?: and)? \\d+ (?:minutes?|mins?|seconds?|secs?))?`;

/** A span of time read from words: exact minutes, or whole calendar months/years. */
export interface Duration {
  minutes: number;
  months: number;
  /** The largest unit named, for phrasing bounds ("for 3 weeks"). */
  unit: DurationUnit;
  count: number;
}

/** Reads a DURATION match ("2 hours", "a day and a half", "1 hour and 30 minutes"). */
export function readDuration(phrase: string): Duration | null {
  const m =
    /^(.+?) (seconds?|secs?|minutes?|mins?|hours?|hrs?|hr|days?|weeks?|wks?|fortnights?|months?|years?)( and a half)?(?:(?: and)? (\d+) (minutes?|mins?|seconds?|secs?))?$/.exec(
      phrase.trim(),
    );
  if (!m) return null;
  const n = smallNumber(m[1]!);
  if (n === null) return null;
  const unit = m[2]!;
  const count = n + (m[3] ? 0.5 : 0);
  const extra = m[4] ? Number(m[4]) * (/^s/.test(m[5]!) ? 1 / 60 : 1) : 0;
  if (/^months?$/.test(unit)) return { minutes: extra, months: count, unit: "month", count };
  if (/^years?$/.test(unit)) return { minutes: extra, months: 12 * count, unit: "year", count };
  const per = UNIT_MINUTES.find(([re]) => re.test(unit))?.[1];
  if (per === undefined) return null;
  const name: DurationUnit = per >= 10080 ? "week" : per >= 1440 ? "day" : per >= 60 ? "hour" : "minute";
  return { minutes: count * per + extra, months: 0, unit: name, count };
}

/**
 * The number of minutes a short reply or phrase names: "10", "10 min", "in 2 hours", "half an hour",
 * "an hour and a half". A bare number means minutes (the reply to "snooze for how long?").
 * Null when the text names no duration, or a calendar one (months, years).
 */
export function parseDuration(text: string): number | null {
  const s = normalize(text).replace(
    /^(snooze|for|in|after|another|about|around|like|maybe|just|please|ok|okay)\s+/g,
    "",
  );
  const bare = /^(\d+(?:\.\d+)?)(?: more)?$/.exec(s);
  if (bare) return Number(bare[1]);
  const m = new RegExp(`(?:^|\\s)(${DURATION})(?:\\s|$)`).exec(s);
  if (!m) return null;
  const d = readDuration(m[1]!);
  if (!d || d.months) return null;
  return Math.round(d.minutes);
}
