/** Word lists the grammars share, as regex alternations. */

export const WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export const RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

/** Full weekday names and the abbreviations people type. */
export const WD =
  "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|weds|thu|thur|thurs|fri|sat|sun)";

/** 1 = Monday … 7 = Sunday, from a full or abbreviated name. */
export function weekdayNumber(word: string): number {
  const w = word.replace(/('s|s)$/, "");
  const i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].findIndex((p) => w.startsWith(p));
  return i + 1;
}

export const MONTH =
  "(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)";

/** Nouns for the things people put on a calendar: a clock time right before one describes it ("my 2 pm appointment"). */
export const EVENT_NOUN =
  "(?:meetings?|appointments?|alarms?|reminders?|calls?|class(?:es)?|events?|sessions?|meet|flights?|trains?|bus|dinner|lunch|breakfast|brunch|show|game|match|party|interview|conference|practice|standup|stand-up|movie|reservation|wake up call|wakeup|lecture|exam|test|shift|deadline|training|workout|one|thing)";

export const DAY_PART = "(?:morning|afternoon|evening|night)";

/** 1 = January … 12 = December, from the first three letters of a month name. */
export const MONTH_NUMBER: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
