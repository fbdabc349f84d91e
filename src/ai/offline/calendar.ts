import { instantToWall, wallToInstant } from "../../time/index.js";

/** A calendar date with no zone: what "March 8th" names. */
export interface Ymd {
  y: number;
  m: number;
  d: number;
}

// Plain proleptic-Gregorian day arithmetic: this runs several times per message, and going through a
// zone-aware date library for it costs more than the rest of the grammar.
const DAY_MS = 86_400_000;
const epochDay = (x: Ymd): number => Date.UTC(x.y, x.m - 1, x.d) / DAY_MS;
const fromEpochDay = (n: number): Ymd => {
  const t = new Date(n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
export const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

export const addDays = (x: Ymd, n: number): Ymd => fromEpochDay(epochDay(x) + n);
/** Whole months later; a day past the end of the target month is clamped (Jan 31 + 1 month = Feb 28). */
export const addMonths = (x: Ymd, n: number): Ymd => {
  const k = x.y * 12 + (x.m - 1) + n;
  const y = Math.floor(k / 12),
    m = (k % 12) + 1;
  return { y, m, d: Math.min(x.d, daysInMonth(y, m)) };
};
/** 1 = Monday … 7 = Sunday. */
export const weekdayOf = (x: Ymd): number => ((((epochDay(x) + 3) % 7) + 7) % 7) + 1;
export const compareYmd = (a: Ymd, b: Ymd): number => a.y - b.y || a.m - b.m || a.d - b.d;
export const isValidYmd = (x: Ymd): boolean => x.m >= 1 && x.m <= 12 && x.d >= 1 && x.d <= daysInMonth(x.y, x.m);

/** Today's date in `tz`. */
export const todayIn = (now: Date, tz: string): Ymd => {
  const w = instantToWall(now, tz);
  return { y: w.year, m: w.month, d: w.day };
};

/** The instant at wall time `h:m` on `date` in `tz` (a skipped DST time moves forward). */
export const at = (date: Ymd, h: number, m: number, tz: string): Date =>
  wallToInstant({ year: date.y, month: date.m, day: date.d, hour: h, minute: m }, tz);

/** The `n`th (1-based; -1 = last) `weekday` of `month` in `year`. */
export function nthWeekday(year: number, month: number, weekday: number, n: number): Ymd {
  if (n > 0) {
    const first = { y: year, m: month, d: 1 };
    return addDays(first, ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1));
  }
  const last = { y: year, m: month, d: daysInMonth(year, month) };
  return addDays(last, -((weekdayOf(last) - weekday + 7) % 7));
}

/** US holidays people name in reminders, for `year`. */
export function holiday(name: string, year: number): Ymd | null {
  const fixed: Record<string, [number, number]> = {
    "christmas eve": [12, 24],
    christmas: [12, 25],
    xmas: [12, 25],
    "new years eve": [12, 31],
    "new years day": [1, 1],
    "new years": [1, 1],
    halloween: [10, 31],
    "valentines day": [2, 14],
    "independence day": [7, 4],
  };
  const f = fixed[name];
  if (f) return { y: year, m: f[0], d: f[1] };
  switch (name) {
    case "thanksgiving":
      return nthWeekday(year, 11, 4, 4);
    case "mothers day":
      return nthWeekday(year, 5, 7, 2);
    case "fathers day":
      return nthWeekday(year, 6, 7, 3);
    case "memorial day":
      return nthWeekday(year, 5, 1, -1);
    case "labor day":
      return nthWeekday(year, 9, 1, 1);
    default:
      return null;
  }
}
