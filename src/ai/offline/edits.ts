import type { Clock, Interpretation, ScheduleEdit, TaskRef } from "../types.js";
import { todayIn } from "./calendar.js";
import { findRename, findShift } from "./edit-words.js";
import type { Parsed } from "./parse.js";
import { taskRef } from "./refs.js";
import { dateOf, hour24, PART_HOUR, pickClocks, pickDate } from "./resolve.js";
import { planSchedule } from "./schedule.js";
import { originalCase } from "./task.js";
import type { When } from "./times.js";
import { RRULE_DAYS } from "./vocab.js";

/**
 * Reschedules: what the user named, as a ScheduleEdit the conversation applies to the task, never a whole
 * schedule rebuilt from defaults. "move the dentist one to 4pm" changes the time and keeps the day;
 * "reschedule rent to the 1st" the day of the month and keeps the monthly repeat.
 */

const ASK_WHAT = "What should I change it to?";
/** Verbs that name the task to edit but not the change ("modify my alarm tomorrow"), unlike "make it 5". */
const ASK_VERB = /\b(?:modify|update|change|edit|adjust|correct|rectify|fix)\b(?! (?:it|that|this|them)\b)/;

const clockOf = (h: number, m: number): Clock => ({ hour: h, minute: m });

/** The edit the words after "to" describe, or the question to ask when they describe none. */
function editOf(p: Parsed, w: When, recAfter: boolean): { edit?: ScheduleEdit; question?: string; unsure?: boolean } {
  const edit: ScheduleEdit = {};
  const rec = recAfter ? p.rec : null;
  if (rec) {
    // "to mondays" changes only the weekdays, "make it daily" makes that every day at the task's own time;
    // "to every day at 9" restates the whole schedule.
    const plain = rec.interval === 1 && !rec.count && !rec.length && rec.untilAt === undefined;
    const timed = w.clocks.length > 0 || w.dayParts.length > 0;
    const days =
      plain && rec.freq === "WEEKLY" && rec.byday.length
        ? rec.byday
        : plain && rec.freq === "DAILY" && !timed
          ? [...RRULE_DAYS]
          : null;
    if (days) edit.weekdays = days.filter((d) => !rec.except?.includes(d));
    else {
      const plan = planSchedule(p, w, rec);
      if (!plan.schedule) return { question: plan.question ?? ASK_WHAT };
      // A new rule with no time of its own fires at the 09:00 default, which may not be the task's time.
      return { edit: { schedule: plan.schedule }, ...(timed ? {} : { unsure: true }) };
    }
  }
  const part = w.dayParts[0]?.part;
  const clocks = pickClocks(w);
  if (clocks.length)
    edit.times = clocks.map((c) => {
      const loose = !c.fixed && !c.mer && !part && !p.hints.wake && !p.hints.evening && c.h >= 1 && c.h <= 12;
      return loose ? { ...clockOf(hour24(c, part, p.hints), c.m), loose } : clockOf(hour24(c, part, p.hints), c.m);
    });
  else if (part) edit.times = [clockOf(PART_HOUR[part], 0)];
  const hit = pickDate(w);
  if (hit?.ref.kind === "dom" && !hit.ref.wd) edit.monthDay = hit.ref.d;
  else if (hit) {
    const d = dateOf(hit.ref, todayIn(p.ctx.now, p.ctx.tz));
    if (!d) return { question: "That day has already passed. Which day should I move it to?" };
    edit.date = { year: d.y, month: d.m, day: d.d };
    if (hit.ref.kind === "weekday") edit.date.weekday = RRULE_DAYS[hit.ref.wd - 1];
  }
  if (!Object.keys(edit).length && w.offset) {
    // "change my alarm to an hour from now", "change the timer to 10 minutes": a new one-off.
    const plan = planSchedule(p, { ...w, dates: [], clocks: [] }, null);
    if (plan.schedule) return { edit: { schedule: plan.schedule } };
  }
  if (!Object.keys(edit).length) return { question: w.vague ? "Which day should I move it to?" : ASK_WHAT };
  return { edit };
}

type Placed = { start: number; attributive?: boolean; possessive?: boolean };
const pick = (w: When, keep: (x: Placed) => boolean): When => ({
  ...w,
  clocks: w.clocks.filter(keep),
  dates: w.dates.filter(keep),
  dayParts: w.dayParts.filter(keep),
});

/** The task a reschedule acts on, from the words that are not the new time. */
function refOf(p: Parsed, text: string, masked: string, w: When, rest = ""): TaskRef {
  const ref = taskRef(text, masked, w, p.ctx, p.hints);
  if (ref.kind !== "last" || !rest.trim()) return ref;
  // "change the alert time to 2 pm for book club": the task is named after the new time.
  const tail = taskRef(rest, rest, { clocks: [], dates: [], dayParts: [] }, p.ctx, p.hints);
  return tail.kind === "text" ? tail : ref;
}

/**
 * "move my 3pm reminder to 5": the time before "to" picks the task, the one after is the new time;
 * "friday instead of wednesday" the other way round; a shift ("an hour later") or a rename needs no split.
 */
export function reschedule(p: Parsed, strength: number): Interpretation {
  const out = (ref: TaskRef, edit?: ScheduleEdit, question?: string): Interpretation => {
    const r: Interpretation = { intent: "reschedule", task: null, schedule: null, ref, confidence: strength };
    if (edit) r.edit = edit;
    if (question) {
      r.question = question;
      r.confidence = Math.min(strength, 0.5);
    }
    if (p.zone) r.zone = p.zone;
    return r;
  };
  const masked = p.claims.masked();
  const rename = findRename(p.s);
  if (rename) {
    const ref = taskRef(rename.refWords, rename.refWords, { clocks: [], dates: [], dayParts: [] }, p.ctx, p.hints);
    return out(ref, { title: originalCase(rename.title, p.original) });
  }
  const shift = findShift(p.s);
  if (shift) {
    const blank = (x: string) => x.slice(0, shift.start) + " ".repeat(shift.end - shift.start) + x.slice(shift.end);
    const outside = (x: { start: number }) => x.start < shift.start || x.start >= shift.end;
    return out(refOf(p, blank(p.s), blank(masked), pick(p.when, outside)), { shiftMinutes: shift.minutes });
  }
  const instead = /\b(?:instead of|rather than)\b/.exec(p.s)?.index ?? p.s.length;
  const split = /\b(?:to|until|till|for|by)\b(?!.*\b(?:to|until|till)\b)/.exec(p.s.slice(0, instead))?.index ?? 0;
  // An event's own time or day ("my 8 pm alarm", "tomorrow's alarm") picks the task wherever it stands, and
  // so does every time word of "modify my alarm tomorrow", which names no new time at all.
  const asksOnly = split === 0 && instead === p.s.length && ASK_VERB.test(p.s);
  const isNew = (x: Placed) => !asksOnly && x.start >= split && x.start < instead && !x.attributive && !x.possessive;
  const newWhen = pick(p.when, isNew);
  const refWhen = pick(p.when, (x) => !isNew(x));
  // "from 7 am to 8 am": the new time ends a range whose start picked the task.
  const first = newWhen.clocks[0];
  if (first?.rangeEnd) newWhen.clocks[0] = { ...first, rangeEnd: false };
  const { edit, question, unsure } = editOf(p, newWhen, p.rec !== null && p.rec.at >= split && p.rec.at < instead);
  // With no "to", the task is named among the new time's words ("the oil change friday instead of …").
  const head = split > 0 ? p.s.slice(0, split) : masked.slice(0, instead);
  const headMasked = masked.slice(0, split > 0 ? split : instead);
  const tail = (x: string) =>
    instead < p.s.length ? ` ${x.slice(instead).replace(/^(?:instead of|rather than)/, "")}` : "";
  const refText = head + tail(p.s);
  const refMasked = headMasked + tail(masked);
  const rest = masked.slice(split, instead).replace(/^\s*\w+/, "");
  const result = out(refOf(p, refText, refMasked, refWhen, rest), edit, question);
  if (unsure) result.confidence = Math.min(result.confidence, 0.6);
  return result;
}
