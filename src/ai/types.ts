/**
 * The contract every interpreter (offline grammar, LLM) fulfils: a message and its context in,
 * one Interpretation out. Pure data: no I/O, no storage. The conversation (src/bot) decides what to do
 * with it: act, or ask when the interpretation reports what it could not place.
 */
export const INTENTS = [
  "create",
  "list",
  "cancel",
  "reschedule",
  "snooze",
  "pause",
  "resume",
  /** "done", "mark it done", "I did it": acknowledges the reminder that fired (a one-off ends). */
  "done",
  /** "skip next", "skip the next recycling one": a recurring task passes over its next occurrence. */
  "skip",
  /** "undo", "undo that": reverses the user's last change, whatever it was. */
  "undo",
  /** "yes", "sure", "do it": answers a question Herald asked. */
  "confirm",
  /** "no", "don't", "never mind" as an answer to a question Herald asked. */
  "deny",
  "timezone",
  "help",
  "other",
] as const;
export type Intent = (typeof INTENTS)[number];

export type Channel = "console" | "sms" | "email" | "slack";

export type Schedule =
  | { kind: "once"; at: Date }
  /** rrule: RFC 5545 RRULE body without DTSTART (FREQ=DAILY;BYHOUR=9;BYMINUTE=0); wall times in `tz`. */
  | { kind: "recurring"; rrule: string; tz: string; next: Date }
  | { kind: "unspecified" };

/** Which existing task a cancel / reschedule / snooze / pause / resume / done / skip means. */
export type TaskRef =
  | { kind: "last" } // "undo", "move it to 4", "snooze 10 min" right after a reminder
  | { kind: "index"; n: number } // "cancel 2" after a numbered list (1-based)
  | { kind: "time"; at: Date } // "cancel my 3pm reminder"
  | { kind: "text"; words: string } // "cancel the dentist reminder"
  | { kind: "recurring"; freq?: string } // "stop the daily one"
  | { kind: "all" }; // "cancel all my reminders"

/** A wall-clock time of day. */
export interface Clock {
  hour: number;
  minute: number;
  /**
   * Said without am/pm or a day part ("change running to 6:30"): `hour` is a guess, and an edit may put
   * it in the other half of the day, nearer the task's own time.
   */
  loose?: boolean;
}

/**
 * A change to an existing task, holding only what the user named: "move the dentist one to 4pm" is
 * `{ times: [16:00] }` and keeps the dentist's date; "reschedule rent to the 1st" is `{ monthDay: 1 }` and
 * keeps rent's monthly repeat. The conversation applies it to the task's schedule.
 */
export interface ScheduleEdit {
  /** New time(s) of day: "to 4pm", "to 9am and 9pm". */
  times?: Clock[];
  /**
   * A new calendar day, resolved in the zone: "to tomorrow", "to friday", "to march 3". `weekday` (MO..SU)
   * is set when the user named the day by its weekday, so a weekly task can move to that weekday instead.
   */
  date?: { year: number; month: number; day: number; weekday?: string };
  /** A new set of weekdays (BYDAY codes): "to mondays", "to weekdays", "to tuesdays and thursdays". */
  weekdays?: string[];
  /** A new day of the month: "to the 1st". */
  monthDay?: number;
  /** A shift, in minutes: "an hour later" 60, "30 minutes earlier" -30, "push it back an hour" 60. */
  shiftMinutes?: number;
  /** A whole new schedule, when the user restated one: "to every day at 9". Replaces the old one. */
  schedule?: Schedule;
  /** A new title: "rename it to call dad". */
  title?: string;
}

/**
 * Something in the message the interpreter could not make sense of. The conversation turns these into a
 * question or an explanation instead of guessing; they are never pasted into a task's text.
 */
export type Issue =
  /** A date that does not exist: "feb 30" (reason: "February 2027 has 28 days"). */
  | { kind: "invalid_date"; text: string; reason: string }
  /** A time of day that does not exist: "25:00", "13pm". */
  | { kind: "invalid_time"; text: string; reason: string }
  /** Words that look like part of a time or schedule, but that the grammar could not read. */
  | { kind: "unplaced"; text: string }
  /** Two readings that disagree ("tomorrow at 5 on friday"); `options` describes them when it can. */
  | { kind: "conflict"; text: string; options?: string[] }
  /** A schedule that was understood but cannot be expressed ("every 3rd full moon"); `reason` says why. */
  | { kind: "unsupported"; text: string; reason: string };

export interface InterpretContext {
  /** The instant the message was received. */
  now: Date;
  /** The user's IANA time zone. */
  tz: string;
}

export interface Interpretation {
  intent: Intent;
  /** What to do or remind about ("call mom"), or null when the message names nothing. */
  task: string | null;
  /** For create and reschedule: when. null for other intents. */
  schedule: Schedule | null;
  /**
   * Further one-off schedules of the same create ("set alarms for 6 and 6:30": `schedule` is 6:00, `also`
   * holds 6:30). Each becomes a task of its own. Recurring rules with several times use one RRULE instead.
   */
  also?: Schedule[];
  /** For reschedule: what changes (the conversation applies it to the task). `schedule` stays null then. */
  edit?: ScheduleEdit;
  /** Which task the message acts on (cancel, reschedule, snooze, pause, resume, done, skip). */
  ref?: TaskRef;
  /** For snooze: how long, in minutes. */
  snoozeMinutes?: number;
  /** For timezone: the IANA zone named. */
  timezone?: string;
  /**
   * An IANA zone named inside a request ("at 5pm pacific", "9am Berlin time", "17:00 UTC"): the schedule
   * is already resolved in it; the conversation stores the task in it and says so in the reply.
   */
  zone?: string;
  /** For list: only tasks due in [from, to). */
  range?: { from: Date; to: Date };
  /** For list: at most this many ("what's next?" is 1). */
  limit?: number;
  /** Delivery channel the user asked for ("text me", "email me"), if any. */
  channel?: Channel;
  /** Someone other than the owner the task would reach ("post it in #ops"), if any. */
  audience?: string;
  /** A question to ask the user instead of acting, when the message is ambiguous. */
  question?: string;
  /** What the interpreter could not make sense of (see Issue). Absent or empty: everything was placed. */
  issues?: Issue[];
  /**
   * True when the whole message is a time or date and nothing else ("at 5", "tomorrow morning", "every
   * monday"): an answer to "when?", not a request of its own.
   */
  fragment?: boolean;
  /** 0..1: how sure the interpreter is. In auto mode, offline results below a threshold go to the LLM. */
  confidence: number;
}

/** An interpreter as a pure function (the offline grammar): the LLM interpreter's cross-check and fallback. */
export type OfflineFn = (text: string, ctx: InterpretContext) => Interpretation;
