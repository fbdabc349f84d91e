import { z } from "zod";
import { INTENTS } from "../types.js";

/**
 * What the model is asked to extract from a message: words and fields, never instants. Turning
 * "tomorrow at 5pm" into 2026-03-09T17:00-04:00 is deterministic code's job (resolve.ts), because models
 * are unreliable at calendar arithmetic and time zones. Every field is required and nullable (or an array
 * that may be empty), as OpenAI's strict structured outputs demand.
 */

const WEEKDAY = z.enum(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]);

const TIME_OF_DAY =
  "24-hour HH:MM as the user said it; copy an impossible time as written ('25:00', '13pm') instead of correcting it";
const DAY =
  "'today', 'tomorrow', a weekday code MO..SU meaning the next such day, or a date YYYY-MM-DD or MM-DD; copy an impossible date as written ('02-30') instead of correcting it";

/** A point in time as the user said it. */
export const MomentSchema = z.object({
  text: z
    .string()
    .describe(
      "The whole time expression exactly as the user wrote it, repetition words included, e.g. 'tomorrow at 5pm', 'in 20 minutes', 'every monday at 9'",
    ),
  in_minutes: z
    .number()
    .int()
    .nullable()
    .describe("For a relative time ('in 20 minutes', 'in 2 hours'): the offset in minutes; otherwise null"),
  day: z.string().nullable().describe(`${DAY}; null when no day was said`),
  time: z.string().nullable().describe(`${TIME_OF_DAY}; null when no time of day was said`),
});

/** A repeating schedule as the user said it. */
export const RecurrenceSchema = z.object({
  freq: z.enum(["MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
  interval: z.number().int().describe("Every how many units: 1 for 'every day', 2 for 'every other week'"),
  byday: z
    .array(WEEKDAY)
    .describe("Weekdays the rule fires on, e.g. ['MO','TH']; 'weekdays' is MO..FR; [] when none were said"),
  nth: z
    .array(z.number().int())
    .describe("For 'the first monday', 'the last friday' of each month: 1, 2, 3, 4, or -1 for last; [] otherwise"),
  except: z.array(WEEKDAY).describe("Weekdays excluded: 'every weekday except friday' is ['FR']; [] when none"),
  monthdays: z
    .array(z.number().int())
    .describe("Days of the month for monthly rules ('on the 1st and 15th': [1, 15]; last day: -1); [] otherwise"),
  times: z
    .array(z.string())
    .describe(`Every time of day it fires, ${TIME_OF_DAY}: 'at 9am and 9pm' is ['09:00','21:00']; [] when not said`),
  window: z
    .object({ from: z.string().describe("HH:MM"), to: z.string().describe("HH:MM") })
    .nullable()
    .describe("For 'every hour from 9 to 5', 'every 30 minutes between 2 and 4pm': the span, 24-hour; otherwise null"),
  count: z.number().int().nullable().describe("'3 times', '5 more times': how many occurrences; otherwise null"),
  lasting: z
    .object({ amount: z.number().int(), unit: z.enum(["day", "week", "month", "year"]) })
    .nullable()
    .describe("'for 4 weeks', 'for a month': how long it keeps repeating from now; otherwise null"),
  until: z.string().nullable().describe("Last day YYYY-MM-DD when the user said 'until ...'; otherwise null"),
});

/** For reschedule: only what the user changed. Everything not named stays as the task has it. */
export const EditSchema = z.object({
  text: z.string().describe("The words of the change as written: 'to 4pm', 'an hour later', 'to mondays'"),
  times: z.array(z.string()).describe(`New time(s) of day, ${TIME_OF_DAY}; [] when the time is not changed`),
  day: z.string().nullable().describe(`A new day: ${DAY}; null when the day is not changed`),
  weekdays: z.array(WEEKDAY).describe("A new set of weekdays for a repeating task ('to mondays'); [] otherwise"),
  month_day: z.number().int().nullable().describe("A new day of the month ('to the 1st'); otherwise null"),
  shift_minutes: z
    .number()
    .int()
    .nullable()
    .describe("A shift: 'an hour later' 60, '30 minutes earlier' -30, 'push it back an hour' 60; otherwise null"),
  in_minutes: z.number().int().nullable().describe("'to in 2 hours': minutes from now; otherwise null"),
  title: z.string().nullable().describe("A new title ('rename it to call dad'); otherwise null"),
});

export const ZoneSchema = z.object({
  words: z.string().describe("The zone as written: 'pacific', 'PT', 'EST', 'Berlin time', 'UTC'"),
  iana: z
    .string()
    .nullable()
    .describe("The IANA Area/Location id it means (America/Los_Angeles, Europe/Berlin, UTC); null when unsure"),
});

export const IssueSchema = z.object({
  kind: z.enum(["invalid_date", "invalid_time", "unplaced", "conflict", "unsupported"]),
  text: z.string().describe("The words concerned, as written"),
  reason: z.string().nullable().describe("Why, in a short sentence ('February has no 30th'); null for unplaced"),
  options: z.array(z.string()).describe("For conflict: the readings, in words; [] otherwise"),
});

const RefSchema = z.object({
  kind: z.enum(["last", "index", "time", "text", "recurring", "all"]),
  n: z.number().int().nullable().describe("For kind index: the 1-based number from the last list"),
  words: z.string().nullable().describe("For kind text: words naming the task ('dentist')"),
  when: MomentSchema.nullable().describe("For kind time: the task's time ('my 3pm reminder')"),
  freq: z.string().nullable().describe("For kind recurring: DAILY, WEEKLY, ... when said"),
});

export const ExtractionSchema = z.object({
  intent: z
    .enum(INTENTS)
    .describe(
      "create: a new reminder or task; list, cancel, reschedule, snooze, pause, resume an existing one; done: the user did it; skip: pass over the next occurrence; undo: reverse the last change; confirm / deny: yes / no to a question; timezone: the user names their own zone; help; other",
    ),
  task: z
    .string()
    .nullable()
    .describe("What to remind about or do, short, without the time or zone words ('call mom'); null when none"),
  when: MomentSchema.nullable().describe("For a one-off create: the time; null when not said"),
  lead_minutes: z
    .number()
    .int()
    .nullable()
    .describe("'30 minutes before my 3pm meeting': 30, with when (or recurrence) naming the meeting's time; else null"),
  also: z
    .array(MomentSchema)
    .describe("Further one-off times of the same create ('alarms for 6 and 6:30': when 6:00, also [6:30]); else []"),
  recurrence: RecurrenceSchema.nullable().describe(
    "For a repeating create, or a reschedule that restates a whole repeating schedule: the rule; otherwise null",
  ),
  edit: EditSchema.nullable().describe("For reschedule: what changes, and only that; otherwise null"),
  zone: ZoneSchema.nullable().describe(
    "A time zone the message names: for intent timezone the user's new zone, otherwise the zone the request's times are in ('5pm pacific'); null when none",
  ),
  ref: RefSchema.nullable().describe(
    "For cancel, reschedule, snooze, pause, resume, done, skip: which existing task; null otherwise",
  ),
  snooze_minutes: z.number().int().nullable(),
  list_range: z
    .enum(["today", "tomorrow", "this_week", "next_week"])
    .nullable()
    .describe("For list: only tasks due in this period; null for all"),
  list_limit: z.number().int().nullable().describe("For list: at most this many ('what's next?' is 1); else null"),
  channel: z
    .enum(["console", "sms", "email", "slack"])
    .nullable()
    .describe("Only when the user asks for a channel ('text me', 'email me')"),
  audience: z
    .string()
    .nullable()
    .describe("Only when the task would reach someone other than the user ('post it in #ops')"),
  fragment: z
    .boolean()
    .describe("True when the whole message is only a time or date ('at 5', 'tomorrow morning', 'every monday')"),
  issues: z
    .array(IssueSchema)
    .describe("Anything about the time or schedule you could not place, or that does not exist; [] when none"),
  question: z.string().nullable().describe("A short clarifying question when the message is ambiguous; otherwise null"),
  confidence: z.number().describe("0..1, how sure you are of this reading"),
});

export type Moment = z.infer<typeof MomentSchema>;
export type RecurrenceFields = z.infer<typeof RecurrenceSchema>;
export type EditFields = z.infer<typeof EditSchema>;
export type ZoneFields = z.infer<typeof ZoneSchema>;
export type Extraction = z.infer<typeof ExtractionSchema>;
