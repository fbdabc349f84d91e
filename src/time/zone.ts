import { DateTime } from "luxon";

/** A wall-clock reading in some zone, without an offset: what a person means by "9:00 on March 8th". */
export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/** True when `tz` is an IANA zone name this runtime knows ("Europe/Berlin"). */
export function isValidTimeZone(tz: string): boolean {
  return DateTime.local().setZone(tz).isValid;
}

/**
 * The instant at which the clocks in `tz` read `wall`.
 * A wall time skipped by a DST jump (02:30 on a spring-forward night) moves forward by the gap,
 * as people expect ("at 2:30" on that night means 03:30); a repeated one takes the first reading.
 */
export function wallToInstant(wall: WallTime, tz: string): Date {
  const dt = DateTime.fromObject(
    {
      year: wall.year,
      month: wall.month,
      day: wall.day,
      hour: wall.hour,
      minute: wall.minute,
      second: wall.second ?? 0,
    },
    { zone: tz },
  );
  if (!dt.isValid) throw new Error(`invalid wall time or zone: ${JSON.stringify(wall)} in ${tz}`);
  // Luxon resolves a repeated wall time (01:30 on a fall-back night) to the later reading; the first is
  // the one people mean, and the one documented above. It lies one offset change earlier.
  const earlierOffset = dt.minus({ hours: 6 }).offset;
  if (earlierOffset > dt.offset) {
    const first = DateTime.fromMillis(dt.toMillis() - (earlierOffset - dt.offset) * 60_000, { zone: tz });
    if (first.hour === dt.hour && first.minute === dt.minute && first.day === dt.day) return first.toJSDate();
  }
  return dt.toJSDate();
}

/** The wall-clock reading of `instant` in `tz`, with the weekday (1 = Monday … 7 = Sunday). */
export function instantToWall(instant: Date, tz: string): WallTime & { weekday: number } {
  const dt = DateTime.fromJSDate(instant, { zone: tz });
  return {
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    minute: dt.minute,
    second: dt.second,
    weekday: dt.weekday,
  };
}

/** ISO 8601 with the zone's offset at that instant, second precision: 2026-03-08T09:00:00-04:00. */
export function toZonedIso(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).toISO({ suppressMilliseconds: true })!;
}

/** "Sun, Mar 8 at 9:00 AM", the way confirmations show a time to a user. */
export function formatForUser(instant: Date, tz: string, now?: Date): string {
  const dt = DateTime.fromJSDate(instant, { zone: tz });
  const sameYear = now ? DateTime.fromJSDate(now, { zone: tz }).year === dt.year : true;
  return dt.toFormat(sameYear ? "ccc, LLL d 'at' h:mm a" : "ccc, LLL d yyyy 'at' h:mm a");
}

/**
 * "in 45 seconds", "in 1 hour 30 minutes", "in 1 day 7 hours": the distance from `now` to `instant`,
 * rounded to the minute and never rounded up past a unit (an hour and a half is not "2 hours").
 */
export function formatDistance(instant: Date, now: Date): string {
  const s = Math.round((instant.getTime() - now.getTime()) / 1000);
  if (s < 0) return "now";
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? "" : "s"}`;
  if (s < 60) return `in ${unit(s, "second")}`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `in ${unit(minutes, "minute")}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `in ${unit(hours, "hour")}${minutes % 60 ? ` ${unit(minutes % 60, "minute")}` : ""}`;
  const days = Math.floor(hours / 24);
  return `in ${unit(days, "day")}${hours % 24 ? ` ${unit(hours % 24, "hour")}` : ""}`;
}
