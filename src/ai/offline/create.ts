import type { Interpretation, Issue } from "../types.js";
import { audienceOf, channelOf } from "./intents.js";
import { takeUnplaced } from "./issues.js";
import { hasWhen, type Parsed } from "./parse.js";
import { planSchedule } from "./schedule.js";
import { originalCase, taskText } from "./task.js";
import type { When } from "./times.js";

/** Time words left in a task mean the grammar may not have accounted for all of the "when". */
const TIMEISH =
  /\b(?:\d+|am|pm|o'clock|noon|midnight|morning|afternoon|evening|night|tonight|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|june|july|august|september|october|november|december|every|next|until|hours?|minutes?|days?|weeks?|months?|years?|weekly|daily|monthly)\b/;

/** What may stand around the time words of a bare answer to "when?": "at 5", "ok tomorrow then". */
const FRAGMENT_REST =
  /^(?:(?:at|on|in|by|for|from|the|a|please|ok|okay|then|and|maybe|how about|let's say|lets say|say|around|about|um|uh|like|just|instead|is fine|works|starting|sometime)(?:\s+|$))*$/;

/** True when the message is only a time, date or recurrence ("at 5", "tomorrow morning", "every monday"). */
export function isFragment(p: Parsed): boolean {
  return hasWhen(p) && !p.when.trigger && FRAGMENT_REST.test(p.claims.unclaimedWords().join(" "));
}

/** Several different plain dates or start times, not listed together: the grammar picked one, maybe wrongly. */
function conflicting(w: When): boolean {
  const dates = w.dates.filter((d) => !d.possessive && !d.listed);
  const clocks = w.clocks.filter((c) => !c.rangeEnd && !c.attributive && !c.listed);
  return dates.length > 1 || clocks.length > 1;
}

/**
 * A create: the task words, the schedule (with further listed one-offs in `also`), and whatever the
 * grammar could not place, reported as issues instead of pasted into the task.
 */
export function create(p: Parsed, strength: number): Interpretation {
  const plan = planSchedule(p);
  const audience = audienceOf(p.s);
  // With an audience, "post"/"send" is the delivery, not part of the task.
  let task = taskText(p.claims.masked());
  if (task && audience) task = task.replace(/^(?:post|send|share|announce|say)\s+/, "");
  // What to do around an event: "15 minutes before my call to prep notes" is about prepping notes.
  const around =
    /\b(?:before|after|ahead of) (?:my|the|our)\b/.test(p.s) && task
      ? /^(?:my|the|our) [\w' ]+? to (.+)$/.exec(task)
      : null;
  if (around) task = around[1]!;
  const issues: Issue[] = [...plan.issues];
  if (task) {
    const left = takeUnplaced(task);
    for (const text of left.unplaced) issues.push({ kind: "unplaced", text });
    if (left.unplaced.length) task = taskText(left.task);
  }
  let confidence = strength;
  if (plan.schedule === null) confidence = Math.min(confidence, 0.5);
  if (issues.some((i) => i.kind === "unplaced")) confidence = Math.min(confidence, 0.6);
  if (task && TIMEISH.test(task)) confidence = Math.min(confidence, 0.6);
  if (conflicting(p.when)) confidence = Math.min(confidence, 0.7);
  const out: Interpretation = {
    intent: "create",
    task: task && originalCase(task, p.original),
    schedule: plan.schedule,
    confidence,
  };
  if (plan.also) out.also = plan.also;
  if (plan.question) out.question = plan.question;
  else if (plan.schedule?.kind === "unspecified" && issues.length)
    out.question = `I didn't understand "${issues[0]!.text}". When should I remind you?`;
  if (issues.length) out.issues = issues;
  if (p.zone) out.zone = p.zone;
  const channel = channelOf(p.s);
  if (channel) out.channel = channel;
  if (audience) out.audience = audience;
  if (!out.task && !channel && !audience && isFragment(p)) out.fragment = true;
  return out;
}
