import type { Issue, Schedule } from "../types.js";
import { dateConflicts } from "./issues.js";
import type { Parsed } from "./parse.js";
import type { Recur } from "./recurrence.js";
import { pickClocks, pickDates, resolveOnce } from "./resolve.js";
import { buildRecurrence } from "./rrule.js";
import type { When } from "./times.js";

/** When a create or a restated schedule fires, the further one-offs listed with it, or what to ask. */
export interface Plan {
  schedule: Schedule | null;
  also?: Schedule[];
  question?: string;
  issues: Issue[];
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The question an issue raises, for conversations that only read `question`. */
export function questionFor(issue: Issue): string {
  switch (issue.kind) {
    case "invalid_date":
      return `${sentence(issue.reason)}. Which day did you mean?`;
    case "invalid_time":
      return `There is no ${issue.text}: ${issue.reason}. What time did you mean?`;
    case "conflict":
      return issue.options?.length
        ? `Did you mean ${issue.options.join(" or ")}?`
        : `"${issue.text}" can be read more than one way. Which did you mean?`;
    case "unsupported":
      return `I can't set that as one repeating reminder: ${issue.reason}. Could you split it into separate reminders?`;
    case "unplaced":
      return `I didn't understand "${issue.text}". When should I remind you?`;
  }
}

/**
 * The schedule the message's time words describe (resolved in `p.ctx`, the named zone's when there is
 * one), or the question to ask instead. Several listed times or days ("for 6 and 6:30", "saturday and
 * sunday at noon") give one schedule and the rest in `also`; a repeating rule keeps them in one RRULE.
 */
export function planSchedule(p: Parsed, when: When = p.when, rec: Recur | null = p.rec): Plan {
  const issues = [...p.issues, ...dateConflicts(when.dates, p.s, p.ctx)];
  const blocking = issues.find((i) => i.kind !== "unplaced");
  if (blocking) return { schedule: null, question: questionFor(blocking), issues };
  if (rec) {
    const r = buildRecurrence(rec, when, p.ctx, p.hints);
    if (r.kind === "ask") return { schedule: null, question: r.question, issues };
    if (r.kind === "unsupported") {
      const issue: Issue = { kind: "unsupported", text: p.original.trim(), reason: r.reason };
      return { schedule: null, question: questionFor(issue), issues: [...issues, issue] };
    }
    return { schedule: { kind: "recurring", rrule: r.rrule, tz: p.ctx.tz, next: r.next }, issues };
  }
  const clocks = pickClocks(when);
  const dates = pickDates(when);
  if (clocks.length <= 1 && dates.length <= 1) {
    const o = resolveOnce(when, p.ctx, p.hints);
    if (o.kind === "at") return { schedule: { kind: "once", at: o.at }, issues };
    if (o.kind === "ask") return { schedule: null, question: o.question, issues };
    return { schedule: { kind: "unspecified" }, issues };
  }
  // Every listed day at every listed time: "alarms for 9 am and 9 pm tomorrow", "saturday and sunday at noon".
  const ats: Date[] = [];
  for (const d of dates.length ? dates : [undefined])
    for (const c of clocks.length ? clocks : [undefined]) {
      const o = resolveOnce({ ...when, dates: d ? [d] : [], clocks: c ? [c] : [] }, p.ctx, p.hints);
      if (o.kind === "ask") return { schedule: null, question: o.question, issues };
      if (o.kind === "at" && !ats.some((x) => x.getTime() === o.at.getTime())) ats.push(o.at);
    }
  ats.sort((a, b) => a.getTime() - b.getTime());
  const [first, ...rest] = ats.map((at): Schedule => ({ kind: "once", at }));
  const plan: Plan = { schedule: first ?? { kind: "unspecified" }, issues };
  if (rest.length) plan.also = rest;
  return plan;
}
