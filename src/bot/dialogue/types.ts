import type { Interpretation } from "../../ai/index.js";
import type { TaskChange, TaskSnapshot, When } from "../../tasks/index.js";

/** What the dialogue sees of a task: the fields its rules and replies read. */
export interface TaskView {
  id: string;
  title: string;
  status: string;
  runAt: Date | null;
  rrule: string | null;
  dtstart: Date | null;
  timezone: string;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  channel: string;
  audience: string | null;
  approvalReason: string | null;
  version: number;
}

/** A new task, as the dialogue asks for it. */
export interface CreateSpec {
  title: string;
  instruction: string;
  when: When;
  timezone: string;
  channel: string;
  audience: string | null;
}

/** What the dialogue asks the I/O around it to do, in order. */
export type Action =
  | { kind: "create"; spec: CreateSpec }
  | { kind: "apply"; taskId: string; change: TaskChange }
  | { kind: "setTimezone"; timezone: string };

/** How an action went: the task after it (and before, for changes; a copy, for a snoozed repeat), or why not. */
export type Outcome =
  | { ok: true; task: TaskView; before?: TaskView; created?: TaskView }
  | { ok: false; code: string; reason: string };

/** A draft waits for what its request lacked: a time ("remind me to call mom") or a task ("at 5"). */
export interface Draft {
  task?: string;
  /** The schedule already given, as the interpreter read it (instants as ISO strings). */
  at?: string[];
  instruction: string;
  channel?: string;
  audience?: string;
  zone?: string;
  askedAt: string;
  /** A later reply already said the draft still waits (it is said once). */
  noted?: boolean;
}

/** A question that wants yes or no, and what yes does. */
export type Pending =
  | { kind: "bulk"; action: "cancel"; taskIds: string[]; askedAt: string }
  | { kind: "channel"; spec: SerializedSpec[]; channel: string; askedAt: string };

/** A choice among tasks that matched ("which one?"): what to do with the one picked. */
export interface Choice {
  intent: string;
  taskIds: string[];
  /** The interpretation that asked, so the pick is acted on as if it had named one task. */
  it: SerializedInterpretation;
  askedAt: string;
}

/** The user's last change, so "undo" can reverse it whatever it was. */
export type LastChange =
  | { kind: "create"; taskIds: string[]; at: string }
  | { kind: "apply"; entries: { taskId: string; before: TaskSnapshot }[]; created: string[]; at: string }
  | { kind: "timezone"; from: string; entries: { taskId: string; before: TaskSnapshot }[]; at: string };

/** Per-user conversation memory, kept in users.state (JSON: instants as ISO strings). */
export interface DialogueState {
  draft?: Draft;
  pending?: Pending;
  choice?: Choice;
  /** Task ids of the last numbered list shown ("cancel 2"). */
  lastList?: string[];
  /** The task the user last created or changed ("move it to 4"). */
  lastTaskId?: string;
  lastChange?: LastChange;
  /** The user said which zone they are in (or their channel knows it); until then replies say which zone times are in. */
  zoneConfirmed?: boolean;
}

export type SerializedSpec = Omit<CreateSpec, "when"> & {
  when: { runAt: string } | { rrule: string; dtstart: string };
};
export type SerializedInterpretation = Record<string, unknown>;

/** Whether a channel can reach this user: yes (and how replies say it: "by text message"), or why not. */
export type Reach = { ok: true; how: string } | { ok: false; why: string };

/** Everything one turn of the dialogue depends on. */
export interface TurnInput {
  text: string;
  it: Interpretation;
  now: Date;
  user: { id: string; timezone: string };
  /** The channel the message came on (replies and reminders default to it). */
  channel: string;
  /** The user's active tasks, soonest first, and the one that fired last (it may be finished). */
  tasks: TaskView[];
  lastFired: TaskView | null;
  state: DialogueState;
  /** Whether a channel the user asks for ("text me") can reach them. */
  reach(channel: string): Reach;
}

/** One turn: what to do, then (from how it went) the reply and the next state. */
export interface Turn {
  actions: Action[];
  finish(outcomes: Outcome[]): { reply: string; state: DialogueState; taskId?: string };
}
