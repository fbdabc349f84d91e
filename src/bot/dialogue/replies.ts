import type { DialogueState, Draft, Outcome, TaskView, Turn, TurnInput } from "./types.js";
import { listLines, plural, remindPhrase, scheduleText } from "./words.js";

/** Reply texts, as pure functions of their inputs: what the user reads. */

/** "✓ I'll remind you to call mom tomorrow (Sat, Mar 7) at 5:00 PM by text message." */
export function confirmCreated(t: TaskView, input: TurnInput, state: DialogueState): string {
  const when = scheduleText(t, input.user.timezone, input.now);
  const reach = t.channel !== input.channel ? input.reach(t.channel) : null;
  const how = reach?.ok ? ` ${reach.how}` : "";
  const zone =
    state.zoneConfirmed || t.timezone !== input.user.timezone
      ? ""
      : ` (times are in ${input.user.timezone}; say "my time zone is …" to change it)`;
  if (t.status === "pending_approval")
    return `✓ Saved "${t.title}" ${when}${how}. It needs an admin's approval before it runs, because it ${t.approvalReason}.`;
  if (t.title === "alarm") return `✓ Alarm set for ${when}${how}${zone}.`;
  if (t.title === "wake up") return `✓ I'll wake you up ${when}${how}${zone}.`;
  return `✓ I'll remind you ${remindPhrase(t.title)} ${when}${how}${zone}.`;
}

export function listReply(tasks: TaskView[], input: TurnInput, ranged: boolean, limit?: number): string {
  if (!tasks.length)
    return ranged
      ? "Nothing is scheduled then."
      : `You have no reminders scheduled. Try "remind me tomorrow at 9 to call mom".`;
  if (limit === 1 && tasks.length === 1) {
    const t = tasks[0]!;
    return `Next: "${t.title}" ${scheduleText(t, input.user.timezone, input.now)}.`;
  }
  // "How many reminders do I have?" is answered with the number first.
  const counted = /\bhow many\b/i.test(input.text) ? `You have ${plural(tasks.length, "reminder")}` : null;
  const heading = counted ?? (ranged ? "Coming up" : "Your reminders");
  const n = Math.min(tasks.length, 2);
  return `${heading}:\n${listLines(tasks, input.user.timezone, input.now).join("\n")}\nReply "cancel ${n}" to cancel one, or "move ${n} to 5pm".`;
}

/** "Which one do you mean?" with every choice numbered, and how to answer. */
export function which(choices: TaskView[], input: TurnInput): string {
  const n = choices.length;
  const how = n === 2 ? `Reply "1" or "2"` : `Reply a number from 1 to ${n}`;
  return `Which one do you mean?\n${listLines(choices, input.user.timezone, input.now).join("\n")}\n${how}, or "all".`;
}

/** A refusal from the task rules, about this task: "It is waiting…" → '"call mom" is waiting…'. */
export function refusal(o: Outcome | undefined, t: TaskView): string {
  if (!o || o.ok) return `I couldn't change "${t.title}".`;
  return o.reason.replace(/^It /, `"${t.title}" `).replace(/^That reminder /, `"${t.title}" `);
}

/** A reply that also says the draft, still waiting for its answer, was not what this message answered. */
export function withDraftNote(turn: Turn, draft: Draft): Turn {
  return {
    actions: turn.actions,
    finish: (outcomes) => {
      const out = turn.finish(outcomes);
      if (out.state.draft?.askedAt !== draft.askedAt || draft.noted) return out;
      const note = draft.task
        ? `(I still need a time to remind you ${remindPhrase(draft.task)}.)`
        : "(I still need to know what to remind you about.)";
      return { ...out, reply: `${out.reply}\n${note}`, state: { ...out.state, draft: { ...draft, noted: true } } };
    },
  };
}

export const HELP = [
  "I'm Herald. I remind you of things and can do small tasks at a time you choose.",
  '• "remind me in 20 minutes to check the oven"',
  '• "every weekday at 8am remind me to stand up", "at 9am and 9pm every day remind me to take my pills"',
  '• "what are my reminders", "what\'s next?", "cancel 2", "undo", "snooze 10 min", "done"',
  '• "move the dentist one to 4pm", "push it back an hour", "skip the next one", "pause all"',
  '• "my time zone is Europe/Berlin"; times can name a zone too ("5pm pacific")',
].join("\n");

export const NOT_UNDERSTOOD =
  'I can set reminders and run small tasks at a time you choose. Try "remind me tomorrow at 9 to call mom", or "help".';
