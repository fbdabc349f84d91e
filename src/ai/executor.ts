import type { ExecutionInput, ExecutionResult, Executor } from "../tasks/index.js";
import { formatForUser } from "../time/index.js";

/** Late by more than this, a reminder says so. */
const LATE_NOTICE_MS = 60_000;

/** The reminder as the user sees it when it fires: "⏰ stretch", with a note when it is late. */
export function formatReminder(title: string, occurrence: Date, lateMs: number, tz: string, now: Date): string {
  const late =
    lateMs > LATE_NOTICE_MS
      ? ` (late: this was due ${formatForUser(occurrence, tz, now)}; Herald was not running then)`
      : "";
  return `⏰ ${title}${late}`;
}

/** The executor without a model: the reminder text, well formatted. */
export class OfflineExecutor implements Executor {
  /** It only formats the reminder: acting twice is harmless, so the engine may act before claiming. */
  readonly pure = true;
  async execute({ run, occurrence, lateMs, now }: ExecutionInput): Promise<ExecutionResult> {
    return { message: formatReminder(run.task.title, occurrence, lateMs, run.user.timezone || run.task.timezone, now) };
  }
}
