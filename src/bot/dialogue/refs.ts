import type { TaskRef } from "../../ai/index.js";
import type { DialogueState, TaskView } from "./types.js";
import { wallClock } from "./words.js";

/**
 * Which of the user's tasks a reference means ("cancel 2", "my 3pm reminder", "the dentist one", "the
 * daily one", "all", "it"). Pure. An exact title beats a loose match; words beat nothing.
 */

const NOISE = new Set(["the", "my", "a", "an", "one", "ones", "reminder", "reminders", "to", "about", "for", "of"]);
const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .split(/\s+/)
    .filter((w) => w && !NOISE.has(w));

/** How well a task's title answers the words: 3 exact, 2 every word, 1 some word (3+ letters), 0 none. */
function score(title: string, want: string[]): number {
  const have = words(title);
  if (have.join(" ") === want.join(" ")) return 3;
  const has = (w: string) => have.some((h) => h === w || h.startsWith(w) || w.startsWith(h));
  if (want.every(has)) return 2;
  return want.some((w) => w.length > 2 && has(w)) ? 1 : 0;
}

export interface Resolved {
  /** The tasks meant (several: ambiguous, or "all"). */
  tasks: TaskView[];
  /** True for "all": act on every one. */
  all: boolean;
}

/**
 * Resolves `ref` among `tasks` (the user's active ones, soonest first). "last" means the task that just
 * fired for done/snooze/skip (when recent), else the one last created or changed, else the only one.
 */
export function resolveRef(
  ref: TaskRef,
  tasks: TaskView[],
  state: DialogueState,
  o: { now: Date; tz: string; lastFired: TaskView | null; preferFired: boolean },
): Resolved {
  const one = (t: TaskView | undefined | null): Resolved => ({ tasks: t ? [t] : [], all: false });
  const byId = (id: string | undefined) => tasks.find((t) => t.id === id);
  switch (ref.kind) {
    case "all":
      return { tasks, all: true };
    case "index":
      return one(byId(state.lastList?.[ref.n - 1]));
    case "time": {
      const want = wallClock(ref.at, o.tz);
      const atTime = tasks.filter((t) => {
        if (!t.nextRunAt) return false;
        const w = wallClock(t.nextRunAt, o.tz);
        return w.hour === want.hour && w.minute === want.minute;
      });
      // "my 3pm reminder tomorrow": the same minute on that day, when one matches there.
      const sameDay = atTime.filter((t) => Math.abs(t.nextRunAt!.getTime() - ref.at.getTime()) < 12 * 3600_000);
      return { tasks: sameDay.length === 1 ? sameDay : atTime, all: false };
    }
    case "text": {
      const want = words(ref.words);
      if (!want.length) return one(byId(state.lastTaskId));
      const scored = tasks.map((t) => [t, score(t.title, want)] as const).filter(([, s]) => s > 0);
      const best = Math.max(0, ...scored.map(([, s]) => s));
      return { tasks: scored.filter(([, s]) => s === best).map(([t]) => t), all: false };
    }
    case "recurring": {
      const rec = tasks.filter((t) => t.rrule);
      return {
        tasks: ref.freq ? rec.filter((t) => t.rrule!.includes(`FREQ=${ref.freq!.toUpperCase()}`)) : rec,
        all: false,
      };
    }
    case "last": {
      const fired = o.lastFired;
      const recent = fired?.lastRunAt && o.now.getTime() - fired.lastRunAt.getTime() < 12 * 3600_000;
      if (o.preferFired && fired && recent) return one(fired);
      const last = byId(state.lastTaskId);
      if (last) return one(last);
      if (o.preferFired && fired) return one(fired);
      return tasks.length === 1 ? one(tasks[0]) : { tasks: [], all: false };
    }
  }
}
