import { DateTime } from "luxon";
import { isValidTimeZone, nextOccurrence, upcoming, validateRrule } from "../../time/index.js";
import type { InterpretContext, Interpretation, Schedule, TaskRef } from "../types.js";
import type { Extraction, Moment, RecurrenceFields } from "./extraction.js";

/**
 * Deterministic resolution of what the model extracted. Two resolvers read the model's time expression:
 * the offline grammar on a synthesized phrase ("remind me <when> to check the list"), preferred when it
 * reads the whole expression, and the model's structured fields resolved here with luxon. When they disagree with each other, or with the offline
 * reading of the original message, the result keeps the preferred reading at lower confidence.
 */

/** The offline interpreter, as a function (injectable for tests). */
export type OfflineFn = (text: string, ctx: InterpretContext) => Interpretation;

/** Confidence is capped here when the readings of a time disagree. */
export const DISAGREEMENT_CONFIDENCE = 0.5;
/** Two instants within this distance agree. */
const TOLERANCE_MS = 60_000;
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

const hhmm = (s: string | null): { h: number; m: number } | null => {
  const m = s?.trim().match(/^(\d{1,2}):(\d{2})$/);
  if (!m) return null;
  const h = Number(m[1]),
    min = Number(m[2]);
  return h < 24 && min < 60 ? { h, m: min } : null;
};

/** The instant the model's fields name, in the user's zone, or null when they name none. Pure. */
export function momentFromFields(w: Moment, ctx: InterpretContext): Date | null {
  if (w.in_minutes !== null && w.in_minutes > 0) return new Date(ctx.now.getTime() + w.in_minutes * 60_000);
  const now = DateTime.fromJSDate(ctx.now, { zone: ctx.tz });
  const time = hhmm(w.time);
  const day = w.day?.trim().toLowerCase() ?? null;
  if (!day && !time) return null;
  const atTime = (d: DateTime) => d.set({ hour: time?.h ?? 9, minute: time?.m ?? 0, second: 0, millisecond: 0 });
  let target: DateTime | null = null;
  if (!day) {
    target = atTime(now);
    if (target <= now) target = atTime(now.plus({ days: 1 }));
  } else if (day === "today") target = atTime(now);
  else if (day === "tomorrow") target = atTime(now.plus({ days: 1 }));
  else if (WEEKDAYS.includes(day.toUpperCase())) {
    const wd = WEEKDAYS.indexOf(day.toUpperCase()) + 1;
    let ahead = (wd - now.weekday + 7) % 7;
    if (ahead === 0 && atTime(now) <= now) ahead = 7;
    target = atTime(now.plus({ days: ahead }));
  } else {
    const full = day.match(/^(\d{4})-(\d{2})-(\d{2})$/);
    const md = day.match(/^(\d{2})-(\d{2})$/);
    if (full)
      target = atTime(DateTime.fromObject({ year: +full[1]!, month: +full[2]!, day: +full[3]! }, { zone: ctx.tz }));
    else if (md) {
      target = atTime(DateTime.fromObject({ year: now.year, month: +md[1]!, day: +md[2]! }, { zone: ctx.tz }));
      if (target.isValid && target <= now) target = target.plus({ years: 1 });
    }
  }
  return target?.isValid ? target.toJSDate() : null;
}

const floatingDay = (ymd: string): string | null => {
  const m = ymd.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  return m ? `${m[1]}${m[2]}${m[3]}T235959Z` : null;
};

/** The RRULE and first occurrence the model's recurrence fields name, or null when they name none. Pure. */
export function recurrenceFromFields(r: RecurrenceFields, ctx: InterpretContext): { rrule: string; next: Date } | null {
  const parts = [`FREQ=${r.freq}`];
  if (r.interval > 1) parts.push(`INTERVAL=${r.interval}`);
  if (r.bymonthday !== null && r.bymonthday >= 1 && r.bymonthday <= 31) parts.push(`BYMONTHDAY=${r.bymonthday}`);
  const byday = r.byday.filter((d, i) => WEEKDAYS.includes(d) && r.byday.indexOf(d) === i);
  if (byday.length) parts.push(`BYDAY=${byday.join(",")}`);
  const time = hhmm(r.time) ?? (r.freq === "HOURLY" || r.freq === "MINUTELY" ? null : { h: 9, m: 0 });
  if (time) parts.push(`BYHOUR=${time.h}`, `BYMINUTE=${time.m}`);
  const until = r.until ? floatingDay(r.until) : null;
  if (until) parts.push(`UNTIL=${until}`);
  const rrule = parts.join(";");
  try {
    validateRrule(rrule);
  } catch {
    return null;
  }
  const start = new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000);
  const next = nextOccurrence({ rrule, tz: ctx.tz, start }, ctx.now);
  return next ? { rrule, next } : null;
}

/** True when two schedules name the same times (recurring: the same next three occurrences). Pure. */
export function sameSchedule(a: Schedule, b: Schedule, now: Date): boolean {
  if (a.kind === "once" && b.kind === "once") return Math.abs(a.at.getTime() - b.at.getTime()) <= TOLERANCE_MS;
  if (a.kind === "recurring" && b.kind === "recurring") {
    const ta = upcoming({ rrule: a.rrule, tz: a.tz, start: a.next }, now, 3);
    const tb = upcoming({ rrule: b.rrule, tz: b.tz, start: b.next }, now, 3);
    return ta.length === tb.length && ta.every((t, i) => Math.abs(t.getTime() - tb[i]!.getTime()) <= TOLERANCE_MS);
  }
  return a.kind === b.kind;
}

/** The task in synthesized phrases: when the grammar gives it back intact, it read the whole time expression. */
const PLACEHOLDER = "check the list";

/**
 * The grammar's schedule for a time expression on its own, or null when it could not read all of it
 * (words of the expression left in the task mean a partial reading, e.g. "5ish" in "tmrw, 5ish").
 */
export function grammarSchedule(when: string, ctx: InterpretContext, offline: OfflineFn): Schedule | null {
  try {
    const r = offline(`remind me ${when.trim()} to ${PLACEHOLDER}`, ctx);
    if (r.task?.trim().toLowerCase() !== PLACEHOLDER || !r.schedule || r.schedule.kind === "unspecified") return null;
    return r.schedule;
  } catch {
    return null; // The grammar failing is the same as the grammar not reading it.
  }
}

interface Readings {
  chosen: Schedule | null;
  disagree: boolean;
}

/** Resolves the model's expression both ways and picks: offline on the expression first, fields second. */
function schedule(x: Extraction, ctx: InterpretContext, offline: OfflineFn): Readings {
  const text = x.when?.text?.trim();
  const grammar = text ? grammarSchedule(text, ctx, offline) : null;
  let fields: Schedule | null = null;
  if (x.recurrence) {
    const r = recurrenceFromFields(x.recurrence, ctx);
    if (r) fields = { kind: "recurring", rrule: r.rrule, tz: ctx.tz, next: r.next };
  } else if (x.when) {
    const at = momentFromFields(x.when, ctx);
    if (at) fields = { kind: "once", at };
  }
  // The grammar read the expression as a different kind (one-off vs repeating) than the model: trust the model's kind.
  const usable = grammar && (!fields || grammar.kind === fields.kind) ? grammar : null;
  const chosen = usable ?? fields;
  const disagree = Boolean(grammar && fields && !sameSchedule(grammar, fields, ctx.now));
  return { chosen, disagree };
}

function taskRef(x: Extraction, ctx: InterpretContext, offline: OfflineFn): TaskRef | undefined {
  const r = x.ref;
  if (!r) return undefined;
  switch (r.kind) {
    case "index":
      return r.n !== null && r.n > 0 ? { kind: "index", n: r.n } : { kind: "last" };
    case "text":
      return r.words?.trim() ? { kind: "text", words: r.words.trim() } : { kind: "last" };
    case "recurring":
      return r.freq ? { kind: "recurring", freq: r.freq.toUpperCase() } : { kind: "recurring" };
    case "time": {
      if (!r.when) return { kind: "last" };
      const g = grammarSchedule(r.when.text, ctx, offline);
      const at = g?.kind === "once" ? g.at : momentFromFields(r.when, ctx);
      return at ? { kind: "time", at } : { kind: "last" };
    }
    default:
      return { kind: r.kind };
  }
}

function listRange(range: Extraction["list_range"], ctx: InterpretContext): { from: Date; to: Date } | undefined {
  if (!range) return undefined;
  const today = DateTime.fromJSDate(ctx.now, { zone: ctx.tz }).startOf("day");
  const span = {
    today: [today, today.plus({ days: 1 })],
    tomorrow: [today.plus({ days: 1 }), today.plus({ days: 2 })],
    this_week: [today, today.startOf("week").plus({ weeks: 1 })],
    next_week: [today.startOf("week").plus({ weeks: 1 }), today.startOf("week").plus({ weeks: 2 })],
  }[range];
  return { from: span[0]!.toJSDate(), to: span[1]!.toJSDate() };
}

/**
 * The Interpretation for a model's extraction: instants resolved deterministically and cross-checked.
 * `offlineReading` is the offline interpreter's reading of the original message, when there is one.
 * Returns the disagreements found, for the log.
 */
export function resolveExtraction(
  x: Extraction,
  ctx: InterpretContext,
  offline: OfflineFn,
  offlineReading?: Interpretation,
): { interpretation: Interpretation; disagreements: string[] } {
  const disagreements: string[] = [];
  let confidence = Math.min(Math.max(Number.isFinite(x.confidence) ? x.confidence : 0.7, 0), 0.95);
  const out: Interpretation = { intent: x.intent, task: x.task?.trim() || null, schedule: null, confidence };
  if (x.intent === "create" || x.intent === "reschedule") {
    const r = schedule(x, ctx, offline);
    out.schedule = r.chosen ?? (x.intent === "create" ? { kind: "unspecified" } : null);
    if (r.disagree) disagreements.push("the grammar and the model's fields read the time differently");
    const o = offlineReading?.schedule;
    if (r.chosen && o && o.kind !== "unspecified" && !sameSchedule(r.chosen, o, ctx.now))
      disagreements.push("the offline reading of the message names a different time");
    if (out.schedule?.kind === "once" && out.schedule.at.getTime() <= ctx.now.getTime())
      disagreements.push("the time is in the past");
  }
  if (x.intent === "reschedule" && !out.schedule && x.when) out.question = "When should I move it to?";
  const ref = taskRef(x, ctx, offline);
  if (ref) out.ref = ref;
  if (x.intent === "snooze") out.snoozeMinutes = x.snooze_minutes ?? x.when?.in_minutes ?? 10;
  if (x.timezone && isValidTimeZone(x.timezone)) out.timezone = x.timezone;
  else if (x.intent === "timezone") disagreements.push("the zone named is not a known IANA zone");
  if (x.intent === "list") {
    const range = listRange(x.list_range, ctx);
    if (range) out.range = range;
  }
  if (x.channel) out.channel = x.channel;
  if (x.audience?.trim()) out.audience = x.audience.trim();
  if (x.question?.trim()) out.question = x.question.trim();
  if (disagreements.length) confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
  out.confidence = Math.round(confidence * 100) / 100;
  return { interpretation: out, disagreements };
}

const RELATIVE = /^in (\d{1,4}) ?(minutes?|mins?|hours?|hrs?|days?)$/i;

/**
 * A one-off time in words ("in 2 hours", "tomorrow at 9am") as an instant: the offline grammar first, then
 * a plain "in N minutes/hours/days". Null when neither reads it. Pure.
 */
export function resolveWhenText(text: string, ctx: InterpretContext, offline: OfflineFn): Date | null {
  const s = grammarSchedule(text, ctx, offline);
  if (s?.kind === "once") return s.at;
  const m = text.trim().match(RELATIVE);
  if (!m) return null;
  const unit = m[2]!.toLowerCase().startsWith("d") ? 1440 : m[2]!.toLowerCase().startsWith("h") ? 60 : 1;
  return new Date(ctx.now.getTime() + Number(m[1]) * unit * 60_000);
}
