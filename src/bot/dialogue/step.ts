import type { Interpretation, Issue, Schedule } from "../../ai/index.js";
import { type Actor, decide, type TaskAction, type TaskChange, type TaskStatus, type When } from "../../tasks/index.js";
import { formatForUser, isValidTimeZone } from "../../time/index.js";
import { applyEdit } from "./edit.js";
import { resolveRef } from "./refs.js";
import type {
  Action,
  CreateSpec,
  DialogueState,
  Draft,
  LastChange,
  Outcome,
  SerializedSpec,
  TaskView,
  Turn,
  TurnInput,
} from "./types.js";
import { confirmCreated, HELP, NOT_UNDERSTOOD, listReply, refusal, which, withDraftNote } from "./replies.js";
import { plural, remindPhrase, scheduleText, titles, whenText } from "./words.js";

/**
 * The conversation as a pure state machine: one turn from (state, interpretation, now, the user's tasks)
 * to the actions to take and, once they are taken, the reply and the next state. The I/O around it
 * (conversation.ts) reads before and writes after; every rule of the dialogue is here and unit-tested.
 *
 * The rule of every reply: do what was asked, say exactly what was done, and when the request is
 * ambiguous or only partly understood, ask instead of guessing.
 */

/** The title of a request that has a time and nothing else to say. */
export const ALARM = "alarm";

/** A draft waits this long for its answer; after that, a bare time is a request of its own. */
export const DRAFT_TTL_MS = 30 * 60_000;
/** A yes/no question or a "which one?" waits this long. */
export const ASK_TTL_MS = 10 * 60_000;
/** "undo" reaches back this far. */
export const UNDO_TTL_MS = 24 * 3600_000;

const age = (iso: string | undefined, now: Date) => (iso ? now.getTime() - new Date(iso).getTime() : Infinity);

const done = (reply: string, state: DialogueState, taskId?: string): Turn => ({
  actions: [],
  finish: () => ({ reply, state, taskId }),
});

export function decideTurn(input: TurnInput): Turn {
  const { now } = input;
  let state: DialogueState = { ...input.state };
  const expiredDraft = state.draft && age(state.draft.askedAt, now) > DRAFT_TTL_MS ? state.draft : undefined;
  if (expiredDraft) state.draft = undefined;
  if (state.pending && age(state.pending.askedAt, now) > ASK_TTL_MS) state.pending = undefined;
  if (state.choice && age(state.choice.askedAt, now) > ASK_TTL_MS) state.choice = undefined;
  const it = input.it;

  // A question that wants yes or no.
  if (state.pending) {
    const pending = state.pending;
    state = { ...state, pending: undefined };
    if (it.intent === "confirm") return confirmPending(input, pending, state);
    if (it.intent === "deny" || isBareCancel(input))
      return done(pending.kind === "bulk" ? "OK, I left your reminders as they are." : "OK, I didn't set it.", state);
  }

  // "Which one?": a number, an ordinal, "all", or words from one of the titles.
  if (state.choice) {
    const choice = state.choice;
    state = { ...state, choice: undefined };
    const picked = pick(input.text, choice.taskIds, input.tasks);
    if (picked) {
      const original = revive(choice.it);
      return change(
        { ...input, it: original, state },
        picked.map((id) => input.tasks.find((t) => t.id === id)!).filter(Boolean),
        picked.length > 1,
      );
    }
  }

  // A draft waiting for its answer.
  if (state.draft) {
    const draft = state.draft;
    if (answersDraft(input, draft)) return completeDraft(input, draft, { ...state, draft: undefined });
    // "undo" right after the question drops it; an older change is undone as asked.
    const undoesDraft = it.intent === "undo" && age(draft.askedAt, now) < age(state.lastChange?.at, now);
    if (it.intent === "deny" || isBareCancel(input) || undoesDraft)
      return done(draft.task ? `OK, I won't remind you ${remindPhrase(draft.task)}.` : "OK, never mind.", {
        ...state,
        draft: undefined,
      });
  }

  const turn = dispatch(input, state, expiredDraft);
  return state.draft ? withDraftNote(turn, state.draft) : turn;
}

/** "cancel", "actually never mind", "scratch that" on their own: an answer to the question asked, not a command. */
function isBareCancel(input: TurnInput): boolean {
  return (
    input.it.intent === "cancel" &&
    /^\W*(?:(?:actually|oh|ok|okay|um+|hmm+|wait|no|nah|sorry)\W+)*(?:cancel(?: (?:it|that|this))?|never ?mind(?: (?:it|that|this))?|stop|forget (?:about )?(?:it|that)|scratch that|don'?t bother|no thanks?)\W*$/i.test(
      input.text,
    )
  );
}

function dispatch(input: TurnInput, state: DialogueState, expiredDraft: Draft | undefined): Turn {
  switch (input.it.intent) {
    case "create":
      return create(input, state, expiredDraft);
    case "list":
      return list(input, state);
    case "cancel":
    case "pause":
    case "resume":
    case "snooze":
    case "reschedule":
    case "done":
    case "skip":
      return changeByRef(input, state);
    case "undo":
      return undo(input, state);
    case "timezone":
      return timezone(input, state);
    case "confirm":
    case "deny":
      return done("There's nothing waiting for a yes or no right now.", state);
    case "help":
      return done(HELP, state);
    default:
      if (/^\W*(?:thanks?|thank you|thx|ty|cheers|great|perfect|cool|nice|awesome)\b/i.test(input.text))
        return done("You're welcome.", state);
      if (/^\W*(?:bye|goodbye|good night|gn|see (?:you|ya)|cya|ttyl|later)\b\W*$/i.test(input.text))
        return done("Bye! Text me any time.", state);
      if (/^\W*(?:hi|hello|hey|good (?:morning|afternoon|evening)|yo)\b(?: there| herald)?\W*$/i.test(input.text))
        return done(`Hi! ${NOT_UNDERSTOOD}`, state);
      return done(NOT_UNDERSTOOD, state);
  }
}

// ---------------------------------------------------------------------------------------------- create

const isAnswer = (it: Interpretation): boolean =>
  Boolean(it.fragment) ||
  (it.intent === "create" &&
    !it.task &&
    Boolean((it.schedule && it.schedule.kind !== "unspecified") || it.issues?.length));

function answersDraft(input: TurnInput, d: Draft): boolean {
  const it = input.it;
  if (d.task) return isAnswer(it);
  // The draft has its time and wants the task: "call mom" (a create without a time, or a short phrase).
  if (it.intent === "create") return Boolean(it.task) && (!it.schedule || it.schedule.kind === "unspecified");
  return it.intent === "other" && !/\?\s*$/.test(input.text) && input.text.trim().split(/\s+/).length <= 8;
}

function completeDraft(input: TurnInput, d: Draft, state: DialogueState): Turn {
  const it = input.it;
  if (d.task) {
    return create(
      {
        ...input,
        it: {
          ...it,
          intent: "create",
          task: d.task,
          channel: it.channel ?? (d.channel as Interpretation["channel"]),
          audience: it.audience ?? d.audience,
          zone: it.zone ?? d.zone,
        },
      },
      state,
      undefined,
      d.instruction,
    );
  }
  const schedules = (d.at ?? []).map((iso) => ({ kind: "once", at: new Date(iso) }) as Schedule);
  const [first, ...also] = schedules;
  const task = it.task ?? input.text.trim().replace(/[.!]+$/, "");
  return create(
    { ...input, it: { intent: "create", task, schedule: first ?? null, also, zone: d.zone, confidence: 0.9 } },
    state,
    undefined,
    `${d.instruction} ${input.text.trim()}`,
  );
}

/** What a problem the interpreter reported means to the user, and what to ask. */
function explain(issues: Issue[], it: Interpretation): string {
  const first = issues[0]!;
  const ask = it.task ? `When should I remind you ${remindPhrase(it.task)}?` : "What time did you mean?";
  switch (first.kind) {
    case "invalid_date":
    case "invalid_time":
      return (
        it.question ??
        `"${first.text}" isn't a real ${first.kind === "invalid_date" ? "date" : "time"}: ${first.reason}. ${ask}`
      );
    case "unplaced":
      return `I didn't understand "${first.text}"${it.task ? ` in your request to ${it.task}` : ""}. ${ask}`;
    case "conflict":
      return `"${first.text}" could mean ${first.options?.length ? first.options.join(" or ") : "more than one time"}. Which did you mean?`;
    case "unsupported":
      return `I can't set that up: ${first.reason}. ${ask}`;
    default:
      return ask;
  }
}

function whenOf(s: Schedule): When | null {
  if (s.kind === "once") return { runAt: s.at };
  if (s.kind === "recurring") return { rrule: s.rrule, dtstart: s.next };
  return null;
}

function create(input: TurnInput, state: DialogueState, expiredDraft?: Draft, instruction?: string): Turn {
  const it = input.it;
  const text = instruction ?? input.text.trim();
  const tz = it.zone ?? input.user.timezone;
  const schedules = [it.schedule, ...(it.also ?? [])].filter((s): s is Schedule =>
    Boolean(s && s.kind !== "unspecified"),
  );
  const task = it.task?.trim() || null;
  const channelAsk = { channel: it.channel, audience: it.audience, zone: it.zone };

  if (it.issues?.length) {
    // Keep what was understood, so the answer to the question completes it.
    const draft: Draft | undefined = task ? { task, instruction: text, ...channelAsk, askedAt: now(input) } : undefined;
    return done(explain(it.issues, it), { ...state, draft });
  }
  if (!schedules.length && it.question) {
    const draft: Draft | undefined = task ? { task, instruction: text, ...channelAsk, askedAt: now(input) } : undefined;
    return done(it.question, { ...state, draft });
  }
  // "get me up at 6", "set an alarm for 7": a request with a time and nothing to say is an alarm.
  if (!task && schedules.length && !it.fragment && !instruction)
    return create(
      { ...input, it: { ...it, task: /\b(?:wake|get up|be up|up at)\b/i.test(input.text) ? "wake up" : ALARM } },
      state,
      expiredDraft,
      instruction,
    );
  if (!task) {
    if (!schedules.length)
      return done('What should I remind you about? Say it like "remind me at 5 to call mom".', state);
    const onces = schedules.filter((s): s is Extract<Schedule, { kind: "once" }> => s.kind === "once");
    const stale = expiredDraft?.task
      ? ` (I had asked when to remind you ${remindPhrase(expiredDraft.task)}, but that was a while ago; say it again with the time if you still want it.)`
      : "";
    if (onces.length === schedules.length) {
      const draft: Draft = {
        at: onces.map((s) => s.at.toISOString()),
        instruction: text,
        ...channelAsk,
        askedAt: now(input),
      };
      const at = onces.map((s) => whenText(s.at, input.user.timezone, input.now, tz)).join(" and ");
      return done(`What should I remind you about ${at}?${stale}`, { ...state, draft });
    }
    return done(
      `What should I remind you about? Say it with the time, like "every day at 9 remind me to stretch".${stale}`,
      state,
    );
  }
  if (!schedules.length) {
    const asked = `When should I remind you ${remindPhrase(task)}? (e.g. "at 5pm", "tomorrow morning", "every monday at 9")`;
    return done(asked, { ...state, draft: { task, instruction: text, ...channelAsk, askedAt: now(input) } });
  }

  const channel = it.channel ?? input.channel;
  const specs: CreateSpec[] = schedules.map((s) => ({
    title: task,
    instruction: text,
    when: whenOf(s)!,
    timezone: s.kind === "recurring" ? s.tz : tz,
    channel,
    audience: it.audience ?? null,
  }));
  if (channel !== input.channel) {
    const reach = input.reach(channel);
    if (!reach.ok) {
      const here = specs.map((s) => ({ ...s, channel: input.channel }));
      return done(
        `${reach.why} Shall I remind you ${remindPhrase(task)} here instead? Reply "yes", or tell me another way to reach you.`,
        {
          ...state,
          pending: { kind: "channel", spec: here.map(serializeSpec), channel: input.channel, askedAt: now(input) },
        },
      );
    }
  }
  if (it.confidence < 0.55) {
    const preview = schedules
      .map((s) => (s.kind === "once" ? whenText(s.at, input.user.timezone, input.now, tz) : "on a repeat"))
      .join(" and ");
    return done(`Should I remind you ${remindPhrase(task)} ${preview}? Reply "yes" or "no".`, {
      ...state,
      pending: { kind: "channel", spec: specs.map(serializeSpec), channel, askedAt: now(input) },
    });
  }
  return createTasks(input, state, specs);
}

function createTasks(input: TurnInput, state: DialogueState, specs: CreateSpec[]): Turn {
  return {
    actions: specs.map((spec) => ({ kind: "create", spec }) satisfies Action),
    finish: (outcomes) => {
      const made = outcomes.flatMap((o) => (o.ok ? [o.task] : []));
      const failed = outcomes.flatMap((o) => (o.ok ? [] : [o.reason]));
      const lines = made.map((t) => confirmCreated(t, input, state));
      const reply = [...new Set([...lines, ...failed])].join("\n") + (made.length ? ' Reply "undo" to cancel.' : "");
      const next: DialogueState = {
        ...state,
        // The zone the times are in is said once, with the first reminder.
        zoneConfirmed: state.zoneConfirmed || made.length > 0,
        draft: state.draft,
        lastTaskId: made.at(-1)?.id ?? state.lastTaskId,
        lastChange: made.length ? { kind: "create", taskIds: made.map((t) => t.id), at: now(input) } : state.lastChange,
      };
      return { reply, state: next, taskId: made.at(-1)?.id };
    },
  };
}

function confirmPending(input: TurnInput, pending: NonNullable<DialogueState["pending"]>, state: DialogueState): Turn {
  if (pending.kind === "channel") return createTasks(input, state, pending.spec.map(reviveSpec));
  const targets = pending.taskIds.map((id) => input.tasks.find((t) => t.id === id)).filter((t): t is TaskView => !!t);
  return bulkApply(input, state, targets, "cancel");
}

// ------------------------------------------------------------------------------------------------ list

function list(input: TurnInput, state: DialogueState): Turn {
  const it = input.it;
  let tasks = input.tasks;
  if (it.ref?.kind === "text") {
    const r = resolveRef(it.ref, tasks, state, {
      now: input.now,
      tz: input.user.timezone,
      lastFired: null,
      preferFired: false,
    });
    if (!r.tasks.length)
      return done(`I couldn't find a reminder matching "${it.ref.words}". Say "list" to see yours.`, state);
    const [one] = r.tasks;
    if (r.tasks.length === 1 && one)
      return done(`"${one.title}" is ${scheduleText(one, input.user.timezone, input.now)}.`, {
        ...state,
        lastTaskId: one.id,
        lastList: [one.id],
      });
    tasks = r.tasks;
  }
  if (it.range) tasks = tasks.filter((t) => t.nextRunAt && t.nextRunAt >= it.range!.from && t.nextRunAt < it.range!.to);
  // "What's next" means what will fire next: not one that is paused or waiting for an admin.
  if (it.limit) tasks = tasks.filter((t) => t.status === "scheduled" || t.status === "running").slice(0, it.limit);
  return done(listReply(tasks, input, Boolean(it.range), it.limit), { ...state, lastList: tasks.map((t) => t.id) });
}

// --------------------------------------------------------------------------------------------- changes

const ACTION: Record<string, TaskAction> = {
  cancel: "cancel",
  pause: "pause",
  resume: "resume",
  snooze: "snooze",
  reschedule: "reschedule",
  done: "done",
  skip: "skip",
};

function changeByRef(input: TurnInput, state: DialogueState): Turn {
  const it = input.it;
  const preferFired = it.intent === "done" || it.intent === "snooze" || it.intent === "skip";
  const pool =
    preferFired && input.lastFired && !input.tasks.some((t) => t.id === input.lastFired!.id)
      ? [...input.tasks, input.lastFired]
      : input.tasks;
  let r = resolveRef(it.ref ?? { kind: "last" }, pool, state, {
    now: input.now,
    tz: input.user.timezone,
    lastFired: input.lastFired,
    preferFired,
  });
  // "resume it" means what is paused, not whatever was mentioned last.
  if (it.intent === "resume" && (it.ref?.kind ?? "last") === "last" && !r.tasks.some((t) => t.status === "paused")) {
    const paused = input.tasks.filter((t) => t.status === "paused");
    if (!paused.length) return done("Nothing to resume: none of your reminders is paused.", state);
    r = { ...r, tasks: paused };
  }
  if (r.all) {
    if (it.intent === "cancel") {
      const open = r.tasks.filter((t) => allowed(t, "cancel", input));
      if (!open.length) return done("You have no reminders to cancel.", state);
      return done(
        `That would cancel all ${plural(open.length, "reminder")}: ${titles(open)}. Reply "yes" to cancel ${open.length === 1 ? "it" : "them"}, or "no" to keep ${open.length === 1 ? "it" : "them"}.`,
        { ...state, pending: { kind: "bulk", action: "cancel", taskIds: open.map((t) => t.id), askedAt: now(input) } },
      );
    }
    if (it.intent === "pause" || it.intent === "resume") return bulkApply(input, state, r.tasks, it.intent);
    return done(`Which reminder should I ${it.intent}? Say "list" to see them, then e.g. "${it.intent} 2".`, state);
  }
  if (!r.tasks.length) {
    const what = it.ref?.kind === "text" ? ` matching "${it.ref.words}"` : "";
    if (!input.tasks.length && !input.lastFired) return done("You have no reminders right now.", state);
    return done(`I couldn't find a reminder${what}. Say "list" to see yours, then e.g. "${it.intent} 2".`, state);
  }
  // Several matched: those the action can apply to are the candidates ("skip" means a repeat).
  const fit = r.tasks.filter((t) => fits(t, ACTION[it.intent]!, input));
  if (r.tasks.length > 1 && fit.length === 1) return change(input, fit, false);
  if (r.tasks.length > 1) {
    const choices = (fit.length ? fit : r.tasks).slice(0, 9);
    return done(which(choices, input), {
      ...state,
      lastList: choices.map((t) => t.id),
      choice: { intent: it.intent, taskIds: choices.map((t) => t.id), it: serialize(it), askedAt: now(input) },
    });
  }
  return change(input, r.tasks, false);
}

/** Acts on the tasks meant (one, or those picked from a choice). */
function change(input: TurnInput, targets: TaskView[], several: boolean): Turn {
  const state = input.state;
  if (several) {
    if (input.it.intent === "cancel" || input.it.intent === "pause" || input.it.intent === "resume")
      return bulkApply(input, state, targets, input.it.intent);
  }
  const t = targets[0]!;
  const it = input.it;
  let changeReq: TaskChange;
  switch (it.intent) {
    case "reschedule": {
      const edit =
        it.edit ?? (it.schedule && it.schedule.kind !== "unspecified" ? { schedule: it.schedule } : undefined);
      if (it.issues?.length) return done(explain(it.issues, { ...it, task: null }), { ...state, lastTaskId: t.id });
      if (!edit)
        return done(`When should "${t.title}" be instead? (e.g. "move it to 4pm")`, { ...state, lastTaskId: t.id });
      const edited = applyEdit(t, edit, input.now, it.zone);
      if (!edited.ok)
        return done(`I can't move "${t.title}" like that: ${lower(edited.why)}`, { ...state, lastTaskId: t.id });
      changeReq = { action: "reschedule", when: edited.when, title: edited.title, timezone: edited.timezone };
      break;
    }
    case "snooze":
      changeReq = { action: "snooze", minutes: it.snoozeMinutes ?? 10 };
      break;
    default:
      changeReq = { action: ACTION[it.intent] as "cancel" | "pause" | "resume" | "done" | "skip" };
  }
  return {
    actions: [{ kind: "apply", taskId: t.id, change: changeReq }],
    finish: ([o]) => {
      if (!o?.ok) return { reply: refusal(o, t), state: { ...state, lastTaskId: t.id } };
      return {
        reply: changedReply(it.intent, o, input),
        state: {
          ...state,
          lastTaskId: (o.created ?? o.task).id,
          lastChange: applyChange([o], input),
        },
        taskId: (o.created ?? o.task).id,
      };
    },
  };
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Whether the rules let the owner do `action` to `t` at all. */
function fits(t: TaskView, action: TaskAction, input: TurnInput): boolean {
  return decide(
    { status: t.status as TaskStatus, userId: input.user.id, recurring: Boolean(t.rrule) },
    action,
    owner(input),
  ).ok;
}

/** Whether the rules let the owner do `action` to `t` and it would change something. */
function allowed(t: TaskView, action: TaskAction, input: TurnInput): boolean {
  const d = decide(
    { status: t.status as TaskStatus, userId: input.user.id, recurring: Boolean(t.rrule) },
    action,
    owner(input),
  );
  return d.ok && d.status !== t.status;
}

const owner = (input: TurnInput): Actor => ({ kind: "user", userId: input.user.id });

/** Pause, resume or cancel several, saying exactly what happened to how many and why the rest were left. */
function bulkApply(
  input: TurnInput,
  state: DialogueState,
  tasks: TaskView[],
  action: "pause" | "resume" | "cancel",
): Turn {
  const act = tasks.filter((t) => allowed(t, action, input));
  const held = tasks.filter((t) => t.status === "pending_approval" && !act.includes(t));
  const already = tasks.filter((t) => !act.includes(t) && !held.includes(t));
  const verb = { pause: "Paused", resume: "Resumed", cancel: "Cancelled" }[action];
  const notes: string[] = [];
  if (held.length)
    notes.push(
      `${held.length === 1 ? `${titles(held)} is` : `${plural(held.length, "reminder")} (${titles(held)}) are`} waiting for an admin's approval and ${held.length === 1 ? "stays" : "stay"} as ${held.length === 1 ? "it is" : "they are"}.`,
    );
  // Resuming all says nothing of those that were running anyway; pausing all says which already were.
  if (already.length && action === "pause")
    notes.push(`${already.length} ${already.length === 1 ? "was" : "were"} already paused.`);
  if (!act.length) {
    const none =
      action === "resume"
        ? "Nothing to resume: none of your reminders is paused."
        : action === "pause"
          ? "Nothing to pause."
          : "Nothing to cancel.";
    return done([none, ...notes].join(" "), state);
  }
  return {
    actions: act.map((t) => ({ kind: "apply", taskId: t.id, change: { action } }) satisfies Action),
    finish: (outcomes) => {
      const ok = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
      const refused = outcomes.filter((o) => !o.ok).length;
      const head = `✓ ${verb} ${plural(ok.length, "reminder")}: ${titles(ok.map((o) => o.task))}.`;
      const tail = refused ? ` ${plural(refused, "other")} could not be ${verb.toLowerCase()}.` : "";
      const undoHint = ok.length ? ' Reply "undo" to reverse this.' : "";
      return {
        reply: [head + tail, ...notes].join(" ") + undoHint,
        state: { ...state, lastChange: applyChange(ok, input), lastList: ok.map((o) => o.task.id) },
      };
    },
  };
}

function applyChange(ok: Extract<Outcome, { ok: true }>[], input: TurnInput): LastChange {
  return {
    kind: "apply",
    entries: ok.filter((o) => o.before).map((o) => ({ taskId: o.task.id, before: snapshotOf(o.before!) })),
    created: ok.flatMap((o) => (o.created ? [o.created.id] : [])),
    at: now(input),
  };
}

function changedReply(intent: string, o: Extract<Outcome, { ok: true }>, input: TurnInput): string {
  const tz = input.user.timezone;
  const t = o.task;
  const title = `"${(o.before ?? t).title}"`;
  switch (intent) {
    case "cancel":
      return `✓ Cancelled ${title}. Reply "undo" to bring it back.`;
    case "pause":
      return `✓ Paused ${title}. Say "resume" to turn it back on.`;
    case "resume":
      return `✓ Resumed ${title}: ${scheduleText(t, tz, input.now)}.`;
    case "snooze": {
      const copy = o.created ?? t;
      return copy.nextRunAt
        ? `✓ Snoozed ${title} until ${whenText(copy.nextRunAt, tz, input.now, copy.timezone)}.`
        : `✓ Snoozed ${title}.`;
    }
    case "done":
      return t.rrule && t.nextRunAt
        ? `✓ ${title} done. Next: ${whenText(t.nextRunAt, tz, input.now, t.timezone)}.`
        : `✓ ${title} done.`;
    case "skip":
      return t.nextRunAt
        ? `✓ Skipped the next ${title}. The one after is ${whenText(t.nextRunAt, tz, input.now, t.timezone)}.`
        : `✓ Skipped. ${title} has no more occurrences.`;
    default: {
      const renamed = o.before && o.before.title !== t.title ? ` (was "${o.before.title}")` : "";
      const was = o.before ? ` It was ${scheduleText(o.before, tz, input.now).replace(/ \(next: .*\)$/, "")}.` : "";
      const held =
        t.status === "pending_approval" ? ` It now needs an admin's approval, because it ${t.approvalReason}.` : "";
      return `✓ "${t.title}"${renamed} is now ${scheduleText(t, tz, input.now)}.${was}${held} Reply "undo" to put it back.`;
    }
  }
}

// ------------------------------------------------------------------------------------------------ undo

function undo(input: TurnInput, state: DialogueState): Turn {
  const lc = state.lastChange;
  if (!lc || age(lc.at, input.now) > UNDO_TTL_MS) return done("There's nothing to undo.", state);
  const actions: Action[] = [];
  if (lc.kind === "create")
    for (const id of lc.taskIds) actions.push({ kind: "apply", taskId: id, change: { action: "cancel" } });
  else {
    if (lc.kind === "timezone") actions.push({ kind: "setTimezone", timezone: lc.from });
    for (const e of lc.entries)
      actions.push({ kind: "apply", taskId: e.taskId, change: { action: "restore", to: e.before } });
    if (lc.kind === "apply")
      for (const id of lc.created) actions.push({ kind: "apply", taskId: id, change: { action: "cancel" } });
  }
  return {
    actions,
    finish: (outcomes) => {
      const next = { ...state, lastChange: undefined };
      const tasks = outcomes.flatMap((o) => (o.ok ? [o.task] : []));
      const failed = outcomes.filter((o) => !o.ok) as Extract<Outcome, { ok: false }>[];
      if (!tasks.length && failed.length)
        return { reply: `I couldn't undo that: ${lower(failed[0]!.reason)}`, state: next };
      if (lc.kind === "create")
        return {
          reply:
            tasks.length === 1
              ? `✓ Undone: I won't remind you ${remindPhrase(tasks[0]!.title)}.`
              : `✓ Undone: cancelled ${titles(tasks)}.`,
          state: next,
        };
      if (lc.kind === "timezone")
        return {
          reply: `✓ Undone: your time zone is ${lc.from} again, and your reminders are as they were.`,
          state: next,
        };
      const restored = tasks.filter((t) => lc.entries.some((e) => e.taskId === t.id));
      const one = restored.length === 1 ? restored[0]! : null;
      const reply = one
        ? `✓ Undone: "${one.title}" is back to ${scheduleText(one, input.user.timezone, input.now)}${one.status === "paused" ? " (paused)" : one.status === "pending_approval" ? " (waiting for approval)" : ""}.`
        : `✓ Undone: ${plural(restored.length, "reminder")} ${restored.length === 1 ? "is" : "are"} back as ${restored.length === 1 ? "it was" : "they were"}.`;
      return {
        reply: failed.length ? `${reply} ${plural(failed.length, "other")} could not be restored.` : reply,
        state: next,
        taskId: one?.id,
      };
    },
  };
}

// ------------------------------------------------------------------------------------------- time zone

function timezone(input: TurnInput, state: DialogueState): Turn {
  const tz = input.it.timezone;
  if (!tz || !isValidTimeZone(tz))
    return done(
      'Which time zone are you in? Say it like "my time zone is Europe/Berlin" or "I\'m in New York".',
      state,
    );
  const from = input.user.timezone;
  if (tz === from)
    return done(`Your time zone is already ${tz}. It's ${formatForUser(input.now, tz)} there.`, {
      ...state,
      zoneConfirmed: true,
    });
  // A repeat keeps its wall-clock time in the new zone (every day at 9 stays at 9); a one-off keeps its moment.
  const repeats = input.tasks.filter((t) => t.rrule && t.timezone === from);
  const onces = input.tasks.filter((t) => !t.rrule && t.nextRunAt);
  const actions: Action[] = [
    { kind: "setTimezone", timezone: tz },
    ...repeats.map(
      (t) =>
        ({
          kind: "apply",
          taskId: t.id,
          change: { action: "reschedule", when: { rrule: t.rrule!, dtstart: t.dtstart ?? input.now }, timezone: tz },
        }) satisfies Action,
    ),
  ];
  return {
    actions,
    finish: (outcomes) => {
      const moved = outcomes.slice(1).flatMap((o) => (o.ok ? [o] : []));
      const parts = [`✓ Your time zone is now ${tz}. It's ${formatForUser(input.now, tz)} there.`];
      if (repeats.length)
        parts.push(
          `${repeats.length === 1 ? "Your repeating reminder keeps its" : `Your ${repeats.length} repeating reminders keep their`} time of day in the new zone (${titles(repeats, 3)}).`,
        );
      if (onces.length) {
        const first = onces[0]!;
        parts.push(
          `${onces.length === 1 ? "Your one-off reminder stays" : `Your ${onces.length} one-off reminders stay`} at the same moment, so "${first.title}" now shows as ${whenText(first.nextRunAt!, tz, input.now)}.`,
        );
      }
      return {
        reply: parts.join(" "),
        state: {
          ...state,
          zoneConfirmed: true,
          lastChange: {
            kind: "timezone",
            from,
            entries: moved.filter((o) => o.before).map((o) => ({ taskId: o.task.id, before: snapshotOf(o.before!) })),
            at: now(input),
          },
        },
      };
    },
  };
}

// ----------------------------------------------------------------------------------------------- picks

const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, last: -1 };

/** Which of the offered tasks a reply to "which one?" picks, or null when it isn't an answer. */
export function pick(text: string, ids: string[], tasks: TaskView[]): string[] | null {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, "");
  if (/^(?:all|both|all of them|every one|everything)$/.test(s)) return ids;
  const n = /^(?:(?:number|no\.?|#)\s*)?(\d{1,2})(?:st|nd|rd|th)?(?: one)?$/.exec(s)?.[1];
  const ordinal = /^(?:the )?(first|second|third|fourth|fifth|sixth|last)(?: one)?$/.exec(s)?.[1];
  const i = n ? Number(n) : ordinal ? ORDINALS[ordinal]! : 0;
  if (i) {
    const id = i > 0 ? ids[i - 1] : ids.at(i);
    return id ? [id] : null;
  }
  const offered = tasks.filter((t) => ids.includes(t.id));
  const byTitle = offered.filter((t) => s.length > 2 && t.title.toLowerCase().includes(s.replace(/^the | one$/g, "")));
  return byTitle.length === 1 ? [byTitle[0]!.id] : null;
}

// -------------------------------------------------------------------------------------- serialization

const now = (input: TurnInput) => input.now.toISOString();

/** The fields of a task undo restores. */
export function snapshotOf(t: TaskView) {
  return {
    status: t.status,
    title: t.title,
    runAt: t.runAt?.toISOString() ?? null,
    rrule: t.rrule,
    dtstart: t.dtstart?.toISOString() ?? null,
    timezone: t.timezone,
    nextRunAt: t.nextRunAt?.toISOString() ?? null,
    version: t.version,
  };
}

function serializeSpec(s: CreateSpec): SerializedSpec {
  const when =
    "runAt" in s.when
      ? { runAt: s.when.runAt.toISOString() }
      : { rrule: s.when.rrule, dtstart: s.when.dtstart.toISOString() };
  return { ...s, when };
}

function reviveSpec(s: SerializedSpec): CreateSpec {
  const when: When =
    "runAt" in s.when ? { runAt: new Date(s.when.runAt) } : { rrule: s.when.rrule, dtstart: new Date(s.when.dtstart) };
  return { ...s, when };
}

/** An interpretation as JSON (for a choice kept in state) and back: instants become ISO strings. */
export function serialize(it: Interpretation): Record<string, unknown> {
  return JSON.parse(JSON.stringify(it));
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
export function revive(v: Record<string, unknown>): Interpretation {
  return JSON.parse(JSON.stringify(v), (_k, x) => (typeof x === "string" && ISO.test(x) ? new Date(x) : x));
}
