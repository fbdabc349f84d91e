import { DateTime } from "luxon";
import { describeRule, formatDistance, instantToWall } from "../../time/index.js";
import type { TaskView } from "./types.js";

/**
 * How the dialogue says things: times in the user's zone (and the task's, when it is another one),
 * schedules whole, and the task in the user's words turned to "you". Pure.
 */

/** "PT", "CET", "UTC": a zone as people write it next to a time. */
export function zoneName(tz: string, at: Date): string {
  const short = DateTime.fromJSDate(at, { zone: tz }).toFormat("ZZZZ");
  // Where Intl knows no abbreviation (it gives "GMT+1" for Berlin), the city reads best: "Berlin time".
  if (!/^GMT[+-]/.test(short)) return short;
  const city = tz.split("/").pop()!.replace(/_/g, " ");
  return tz.includes("/") ? `${city} time` : tz;
}

const clock = (at: Date, tz: string) => DateTime.fromJSDate(at, { zone: tz }).toFormat("h:mm a");

/** "today", "tomorrow (Sat, Mar 7)", "on Mon, Mar 9", "on Mon, Mar 9 2027": the day of `at` as seen on `now`'s. */
export function dayPhrase(at: Date, tz: string, now: Date): string {
  const a = DateTime.fromJSDate(at, { zone: tz }).startOf("day");
  const n = DateTime.fromJSDate(now, { zone: tz }).startOf("day");
  const days = Math.round(a.diff(n, "days").days);
  const date = a.toFormat(a.year === n.year ? "ccc, LLL d" : "ccc, LLL d yyyy");
  if (days === 0) return "today";
  if (days === 1) return `tomorrow (${date})`;
  if (days === -1) return `yesterday (${date})`;
  return `on ${date}`;
}

/**
 * A one-off instant for the user: "today at 5:00 PM (in 1 hour 30 minutes)", "tomorrow (Sat, Mar 7) at
 * 5:00 PM". When the task keeps another zone than the user's, both: "at 5:00 PM PT (8:00 PM your time)".
 */
export function whenText(at: Date, userTz: string, now: Date, taskTz = userTz, o: { nested?: boolean } = {}): string {
  const distance = at.getTime() - now.getTime() < 12 * 3600_000 && at >= now ? formatDistance(at, now) : "";
  const soon = distance ? (o.nested ? `, ${distance}` : ` (${distance})`) : "";
  if (taskTz === userTz) return `${dayPhrase(at, userTz, now)} at ${clock(at, userTz)}${soon}`;
  // The user's own day, when it is not the task zone's: "6:45 PM CST (12:45 AM tomorrow your time)".
  const sameDay = dayPhrase(at, taskTz, now) === dayPhrase(at, userTz, now);
  const theirDay = dayPhrase(at, userTz, now)
    .replace(/^on /, "")
    .replace(/ \(.*\)$/, "");
  const yours = `${clock(at, userTz)}${sameDay ? "" : ` ${theirDay}`} your time`;
  const inside = o.nested || !distance ? yours : `${yours}, ${distance}`;
  return `${dayPhrase(at, taskTz, now)} at ${clock(at, taskTz)} ${zoneName(taskTz, at)} (${inside})${o.nested ? soon : ""}`;
}

/** A task's whole schedule: "every weekday at 8:00 AM (next: tomorrow (Thu, Dec 3) at 8:00 AM)". */
export function scheduleText(t: Pick<TaskView, "rrule" | "nextRunAt" | "timezone">, userTz: string, now: Date): string {
  if (!t.nextRunAt) return t.rrule ? `${describeRule(t.rrule)}, with no occurrence left` : "with nothing left to run";
  if (!t.rrule) return whenText(t.nextRunAt, userTz, now, t.timezone);
  const zone = t.timezone === userTz ? "" : ` ${zoneName(t.timezone, t.nextRunAt)}`;
  return `${describeRule(t.rrule)}${zone} (next: ${whenText(t.nextRunAt, userTz, now, t.timezone, { nested: true })})`;
}

const SWAP: Record<string, string> = {
  my: "your",
  mine: "yours",
  me: "you",
  myself: "yourself",
  i: "you",
  "i'm": "you're",
  "i've": "you've",
  "i'll": "you'll",
  our: "your",
  us: "you",
  am: "are",
};

/** The user's words, spoken back to them: "take my pills" → "take your pills". */
export function toYou(text: string): string {
  return text.replace(/\b(?:my|mine|me|myself|i'm|i've|i'll|i|our|us)\b/gi, (w) => {
    const to = SWAP[w.toLowerCase()]!;
    return w[0] === w[0]!.toUpperCase() && w.toLowerCase() !== "i" ? to[0]!.toUpperCase() + to.slice(1) : to;
  });
}

/** A task that names a thing rather than a deed ("the dentist appointment") is reminded "about". */
const THING = /^(?:the|a|an|my|your|our|his|her|their|this|that|these|those|some|\d)\b/i;

/** A sentence of its own, as a message to send is: "dinner is ready", "the kids are home". */
const CLAUSE = /^(?:[\w']+ ){1,2}?(?:is|are|was|were|will be|has been|have been)\b/i;

/** "to call mom", "about the dentist appointment", "that dinner is ready", as in "I'll remind you …". */
export function remindPhrase(title: string): string {
  const t = toYou(title.trim());
  if (CLAUSE.test(t)) return `that ${t}`;
  return THING.test(t) ? `about ${t}` : `to ${t.replace(/^to\s+/i, "")}`;
}

/** "1. water the plants: tomorrow (Sat, Mar 7) at 9:00 AM [paused]" lines. */
export function listLines(tasks: TaskView[], userTz: string, now: Date): string[] {
  return tasks.map((t, i) => {
    const flag =
      t.status === "scheduled" || t.status === "running"
        ? ""
        : t.status === "pending_approval"
          ? " [waiting for approval]"
          : ` [${t.status.replace("_", " ")}]`;
    return `${i + 1}. ${t.title}: ${scheduleText(t, userTz, now)}${flag}`;
  });
}

/** '"a", "b" and "c"' for titles. */
export function titles(tasks: Pick<TaskView, "title">[], max = 5): string {
  const names = tasks.slice(0, max).map((t) => `"${t.title}"`);
  const more = tasks.length > max ? ` and ${tasks.length - max} more` : "";
  if (more) return `${names.join(", ")}${more}`;
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The wall time of an instant in a zone, as hour and minute. */
export function wallClock(at: Date, tz: string): { hour: number; minute: number } {
  const w = instantToWall(at, tz);
  return { hour: w.hour, minute: w.minute };
}
