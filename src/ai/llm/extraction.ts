import { z } from "zod";
import { INTENTS } from "../types.js";

/**
 * What the model is asked to extract from a message: words and fields, never instants. Turning
 * "tomorrow at 5pm" into 2026-03-09T17:00-04:00 is deterministic code's job (resolve.ts), because models
 * are unreliable at calendar arithmetic and time zones. Every field is required and nullable, as OpenAI's
 * strict structured outputs demand.
 */

const WEEKDAY = z.enum(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]);

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
  day: z
    .string()
    .nullable()
    .describe(
      "'today', 'tomorrow', a weekday code MO..SU meaning the next such day, or a date YYYY-MM-DD or MM-DD; null when no day was said",
    ),
  time: z
    .string()
    .nullable()
    .describe("24-hour wall-clock time HH:MM in the user's zone; null when no time of day was said"),
});

/** A repeating schedule as the user said it. */
export const RecurrenceSchema = z.object({
  freq: z.enum(["MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
  interval: z.number().int().describe("Every how many units: 1 for 'every day', 2 for 'every other week'"),
  byday: z.array(WEEKDAY).describe("Weekdays for weekly rules, e.g. ['MO','TH']; [] when none were said"),
  bymonthday: z
    .number()
    .int()
    .nullable()
    .describe("Day of the month for monthly rules ('on the 15th'); otherwise null"),
  time: z.string().nullable().describe("24-hour HH:MM the reminder fires at; null when not said"),
  until: z.string().nullable().describe("Last day YYYY-MM-DD when the user said 'until ...'; otherwise null"),
});

export const ExtractionSchema = z.object({
  intent: z
    .enum(INTENTS)
    .describe(
      "create: a new reminder or task; list/cancel/reschedule/snooze/pause/resume an existing one; timezone: the user names their zone; help; other",
    ),
  task: z
    .string()
    .nullable()
    .describe("What to remind about or do, short, without the time words ('call mom'); null when none"),
  when: MomentSchema.nullable().describe("For create (one-off) and reschedule: the new time; null when not said"),
  recurrence: RecurrenceSchema.nullable().describe("For a repeating create: the rule; otherwise null"),
  ref: z
    .object({
      kind: z.enum(["last", "index", "time", "text", "recurring", "all"]),
      n: z.number().int().nullable().describe("For kind index: the 1-based number from the last list"),
      words: z.string().nullable().describe("For kind text: words naming the task ('dentist')"),
      when: MomentSchema.nullable().describe("For kind time: the task's time ('my 3pm reminder')"),
      freq: z.string().nullable().describe("For kind recurring: DAILY, WEEKLY, ... when said"),
    })
    .nullable()
    .describe("For cancel/reschedule/snooze/pause/resume: which existing task; null otherwise"),
  snooze_minutes: z.number().int().nullable(),
  timezone: z.string().nullable().describe("For intent timezone: an IANA zone such as Europe/Berlin"),
  list_range: z
    .enum(["today", "tomorrow", "this_week", "next_week"])
    .nullable()
    .describe("For list: only tasks due in this period; null for all"),
  channel: z
    .enum(["console", "sms", "email", "slack"])
    .nullable()
    .describe("Only when the user asks for a channel ('text me', 'email me')"),
  audience: z
    .string()
    .nullable()
    .describe("Only when the task would reach someone other than the user ('post it in #ops')"),
  question: z.string().nullable().describe("A short clarifying question when the message is ambiguous; otherwise null"),
  confidence: z.number().describe("0..1, how sure you are of this reading"),
});

export type Moment = z.infer<typeof MomentSchema>;
export type RecurrenceFields = z.infer<typeof RecurrenceSchema>;
export type Extraction = z.infer<typeof ExtractionSchema>;
