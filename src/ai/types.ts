/**
 * The contract every interpreter (offline grammar, LLM) fulfils: a message and its context in,
 * one Interpretation out. Pure data: no I/O, no storage.
 */
export const INTENTS = [
  "create",
  "list",
  "cancel",
  "reschedule",
  "snooze",
  "pause",
  "resume",
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

/** Which existing task a cancel / reschedule / snooze / pause / resume means. */
export type TaskRef =
  | { kind: "last" } // "undo", "move it to 4", "snooze 10 min" right after a reminder
  | { kind: "index"; n: number } // "cancel 2" after a numbered list (1-based)
  | { kind: "time"; at: Date } // "cancel my 3pm reminder"
  | { kind: "text"; words: string } // "cancel the dentist reminder"
  | { kind: "recurring"; freq?: string } // "stop the daily one"
  | { kind: "all" }; // "cancel all my reminders"

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
  /** Which task the message acts on (cancel, reschedule, snooze, pause, resume). */
  ref?: TaskRef;
  /** For snooze: how long, in minutes. */
  snoozeMinutes?: number;
  /** For timezone: the IANA zone named. */
  timezone?: string;
  /** For list: only tasks due in [from, to). */
  range?: { from: Date; to: Date };
  /** Delivery channel the user asked for ("text me", "email me"), if any. */
  channel?: Channel;
  /** Someone other than the owner the task would reach ("post it in #ops"), if any. */
  audience?: string;
  /** A question to ask the user instead of acting, when the message is ambiguous. */
  question?: string;
  /** 0..1: how sure the interpreter is. In auto mode, offline results below a threshold go to the LLM. */
  confidence: number;
}
