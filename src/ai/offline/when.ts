import type { Duration } from "./durations.js";

/**
 * What the extraction of a message's "when" records (times.ts fills it, resolve.ts turns it into instants):
 * types only, so the extractors (clocks.ts, dates.ts) and their caller share them without importing each other.
 */

export type DayPart = "morning" | "afternoon" | "evening" | "night";

export type DateRef =
  | { kind: "ymd"; y?: number; m: number; d: number; wd?: number }
  | { kind: "weekday"; wd: number; mod: "bare" | "this" | "next" }
  | { kind: "days"; n: number }
  /** `wd` when a weekday was named with it ("monday the 20th"): only a 20th that is a Monday. */
  | { kind: "dom"; d: number; wd?: number }
  | { kind: "holiday"; name: string };

export interface DateHit {
  ref: DateRef;
  start: number;
  end: number;
  /** "tomorrow's meeting": names the event's day, weaker than a plain date. */
  possessive: boolean;
  /** Follows the previous date in a list ("saturday and sunday"): a further day, not a conflict. */
  listed?: boolean;
}

/** A duration before or after some anchor: "30 minutes before that", "3 weeks before thanksgiving". */
export interface Anchored {
  duration: Duration;
  sign: -1 | 1;
  /** What the offset counts from: a time stated elsewhere in the message, today, or an unknown event. */
  anchor: "stated" | "event";
}

export interface When {
  clocks: Clock[];
  dates: DateHit[];
  dayParts: Array<{ part: DayPart; today: boolean; start: number; end: number }>;
  /** Offset from now: "in 20 minutes", "2 hours from now", a timer's length. */
  offset?: Duration;
  /** The offset counts whole days from today ("a week from today"): a date, 09:00 unless a time is given. */
  offsetIsDate?: boolean;
  /** The offset came from "for N minutes" (a timer length), which recurrence bounds also use. */
  offsetIsLength?: boolean;
  anchored?: Anchored;
  /** A span the schema cannot pin down: "next week", "this weekend". */
  vague?: { what: string; start: number };
  /** Triggered by an event, not a time: "when i get home". */
  trigger?: string;
  /** Points into the past: "yesterday", "last monday". */
  past?: boolean;
  /**
   * Where a request to be reminded ends when other words come before it ("the meeting is at 10, remind me
   * at 9"): a time said right after it is the reminder's own.
   */
  requestEnd?: number;
}

/** A clock time as the words said it: "quarter past 6", "noon", "at 5" (meridiem guessing is resolve.ts's). */
export interface Clock {
  h: number;
  m: number;
  /** Stated meridiem. */
  mer?: "am" | "pm";
  /** No am/pm guessing: 24-hour readings, noon, midnight. */
  fixed: boolean;
  midnight?: boolean;
  /** Describes an event rather than the reminder ("my 2 pm appointment"). */
  attributive: boolean;
  /** Second half of a range ("from 4 to 6"): not the start. */
  rangeEnd?: boolean;
  /** Follows the previous clock in a list ("at 9am and 9pm", "for 6 and 6:30"): a further time, not a range. */
  listed?: boolean;
  start: number;
  end: number;
}
