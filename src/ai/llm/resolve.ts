import { DateTime } from "luxon";
import { upcoming } from "../../time/index.js";
import type { InterpretContext, Interpretation, Issue, OfflineFn, Schedule, TaskRef } from "../types.js";
import { readMoment, uniqueIssues } from "./calendar.js";
import { editDifferences, readEdit } from "./edit.js";
import type { Extraction } from "./extraction.js";
import { ruleFromFields } from "./rules.js";
import { resolveZone } from "./zone.js";

/**
 * Deterministic resolution of what the model extracted (extraction.ts) into an Interpretation: the
 * model names words and fields, this code turns them into instants and RRULEs with luxon, says what does
 * not exist (feb 30, 25:00) as issues, and cross-checks. A one-off time is read two ways: by the offline
 * grammar on a synthesized phrase ("remind me <when> to check the list"), preferred when it reads the whole
 * expression, and from the model's fields. A repeating rule comes from the fields (its structure is what
 * the model names; there is no arithmetic in it to get wrong), the grammar only cross-checking it. When
 * readings disagree with each other, or with the offline reading of the original message, the result keeps
 * the preferred reading at lower confidence.
 */

export type { OfflineFn } from "../types.js";

/** Confidence is capped here when the readings of a time disagree. */
export const DISAGREEMENT_CONFIDENCE = 0.5;
/** Two instants within this distance agree. */
const TOLERANCE_MS = 60_000;

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
 * (words of the expression left in the task mean a partial reading, e.g. "5ish" in "tmrw, 5ish"; so do
 * issues it reports).
 */
export function grammarSchedule(when: string, ctx: InterpretContext, offline: OfflineFn): Schedule | null {
  try {
    const r = offline(`remind me ${when.trim()} to ${PLACEHOLDER}`, ctx);
    if (r.task?.trim().toLowerCase() !== PLACEHOLDER || !r.schedule || r.schedule.kind === "unspecified") return null;
    if (r.issues?.length || r.question) return null;
    return r.schedule;
  } catch {
    return null; // The grammar failing is the same as the grammar not reading it.
  }
}

interface Readings {
  chosen: Schedule | null;
  also: Schedule[];
  disagree: boolean;
  issues: Issue[];
}

const once = (at: Date): Schedule => ({ kind: "once", at });

/** A create's schedule: the fields and the grammar's reading of the model's expression, picked and compared. */
function readSchedule(x: Extraction, ctx: InterpretContext, offline: OfflineFn): Readings {
  const lead = x.lead_minutes !== null && x.lead_minutes > 0 ? x.lead_minutes : 0;
  const said = x.when?.text?.trim() ?? "";
  const words = said || "the schedule"; // what an issue quotes when the model gave no words
  const issues: Issue[] = [];
  let fields: Schedule | null = null;
  if (x.recurrence) {
    const r = ruleFromFields(x.recurrence, ctx, { said: words, leadMinutes: lead });
    if (r && "issue" in r) issues.push(r.issue);
    else if (r) fields = { kind: "recurring", rrule: r.value.rrule, tz: ctx.tz, next: r.value.next };
  } else if (x.when) {
    const m = readMoment(x.when, ctx, lead);
    if (m && "issue" in m) issues.push(m.issue);
    else if (m) fields = once(m.value);
  }
  // An impossible date or time in the fields is final: the grammar might read "feb 30" as March 2.
  if (issues.length) return { chosen: null, also: [], disagree: false, issues };
  const grammar = said ? grammarSchedule(said, ctx, offline) : null;
  // The grammar read the expression as another kind (one-off vs repeating) than the model: trust the model's.
  const usable = grammar && (!fields || grammar.kind === fields.kind) ? grammar : null;
  // With a lead time the grammar may have read only the anchor ("my 3pm meeting"): the fields apply the lead.
  const fieldsFirst = fields?.kind === "recurring" || lead > 0;
  const chosen = fieldsFirst ? (fields ?? usable) : (usable ?? fields);
  const anchor = fields?.kind === "once" && lead ? once(new Date(fields.at.getTime() + lead * 60_000)) : null;
  const disagree = Boolean(
    grammar && fields && !sameSchedule(grammar, fields, ctx.now) && !(anchor && sameSchedule(grammar, anchor, ctx.now)),
  );
  // Time words that neither reading could place are a reason to ask, not to schedule nothing silently.
  if (!chosen && said) issues.push({ kind: "unplaced", text: said });
  const also: Schedule[] = [];
  for (const w of x.also) {
    const m = readMoment(w, ctx, lead);
    if (m && "issue" in m) issues.push(m.issue);
    else if (m && ![chosen, ...also].some((s) => s && sameSchedule(s, once(m.value), ctx.now)))
      also.push(once(m.value));
  }
  return { chosen, also, disagree, issues };
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
      const m = readMoment(r.when, ctx);
      const at = g?.kind === "once" ? g.at : m && "value" in m ? m.value : null;
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

/** The model's own issues in the contract's shape; a missing reason gets a plain one. Pure. */
function modelIssues(x: Extraction): Issue[] {
  return x.issues
    .filter((i) => i.text.trim())
    .map((i): Issue => {
      const text = i.text.trim();
      const reason = i.reason?.trim();
      switch (i.kind) {
        case "invalid_date":
          return { kind: i.kind, text, reason: reason || "that date does not exist" };
        case "invalid_time":
          return { kind: i.kind, text, reason: reason || "that time of day does not exist" };
        case "unsupported":
          return { kind: i.kind, text, reason: reason || "Herald can't repeat a reminder that way" };
        case "conflict":
          return i.options.length ? { kind: i.kind, text, options: i.options } : { kind: i.kind, text };
        default:
          return { kind: "unplaced", text };
      }
    });
}

/**
 * How the model's reading differs from the offline reading of the same message. An offline reading that
 * reports issues is partial by its own account (that is why the model was asked), so it is not held against
 * the model.
 */
function offlineDisagreements(out: Interpretation, o: Interpretation | undefined, now: Date): string[] {
  if (!o || o.issues?.length) return [];
  const found: string[] = [];
  const [a, b] = [out.schedule, o.schedule];
  if (a && b && a.kind !== "unspecified" && b.kind !== "unspecified" && !sameSchedule(a, b, now))
    found.push("the offline reading of the message names a different time");
  const diff = out.edit && o.edit ? editDifferences(out.edit, o.edit) : [];
  if (diff.length) found.push(`the offline reading of the edit differs in ${diff.join(", ")}`);
  if (out.zone && o.zone && out.zone !== o.zone) found.push("the offline reading names another zone");
  return found;
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
  const issues: Issue[] = [];
  let confidence = Math.min(Math.max(Number.isFinite(x.confidence) ? x.confidence : 0.7, 0), 0.95);
  const out: Interpretation = { intent: x.intent, task: x.task?.trim() || null, schedule: null, confidence };

  const zone = x.zone ? resolveZone(x.zone, ctx, offline) : null;
  if (zone && "issue" in zone) issues.push(zone.issue);
  const named = zone && "value" in zone ? zone.value : undefined;
  if (x.intent === "timezone") {
    if (named) out.timezone = named;
    else disagreements.push("the zone named is not a known IANA zone");
  } else if (named) out.zone = named;
  // The request's times are wall times in the zone it names ("5pm pacific").
  const zctx = out.zone ? { ...ctx, tz: out.zone } : ctx;

  if (x.intent === "create") {
    const r = readSchedule(x, zctx, offline);
    out.schedule = r.chosen ?? { kind: "unspecified" };
    if (r.also.length) out.also = r.also;
    issues.push(...r.issues);
    if (r.disagree) disagreements.push("the grammar and the model's fields read the time differently");
  }
  if (x.intent === "reschedule") {
    const r = readEdit(x, zctx);
    issues.push(...r.issues);
    if (Object.keys(r.edit).length) out.edit = r.edit;
    else if (!r.issues.length) out.question = "When should I move it to?";
  }
  const all = uniqueIssues([...issues, ...modelIssues(x)]);
  if (all.length) out.issues = all;
  // Never schedule around a date or time that does not exist: the conversation explains and asks.
  if (x.intent === "create" && all.some((i) => i.kind === "invalid_date" || i.kind === "invalid_time")) {
    out.schedule = { kind: "unspecified" };
    delete out.also;
  }
  disagreements.push(...offlineDisagreements(out, offlineReading, ctx.now));
  const past = [out.schedule, ...(out.also ?? [])].some((s) => s?.kind === "once" && s.at <= ctx.now);
  if (past) disagreements.push("the time is in the past");

  const ref = taskRef(x, zctx, offline);
  if (ref) out.ref = ref;
  if (x.intent === "snooze") {
    const minutes = x.snooze_minutes ?? x.when?.in_minutes ?? 10;
    out.snoozeMinutes = minutes > 0 ? minutes : 10;
  }
  if (x.intent === "list") {
    const range = listRange(x.list_range, ctx);
    if (range) out.range = range;
    if (x.list_limit !== null && x.list_limit > 0) out.limit = x.list_limit;
  }
  if (x.channel) out.channel = x.channel;
  if (x.audience?.trim()) out.audience = x.audience.trim();
  if (x.question?.trim()) out.question = x.question.trim();
  if (x.fragment) out.fragment = true;
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
