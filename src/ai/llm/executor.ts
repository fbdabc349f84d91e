import type {
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageFunctionToolCall,
} from "openai/resources/chat/completions";
import type { Logger } from "../../log/index.js";
import type { ExecutionInput, ExecutionResult, Executor } from "../../tasks/index.js";
import { classifyLlmError, emptyTotals, invalidOutput, type LlmClient, type UsageTotals } from "./client.js";
import { executeSystemPrompt } from "./prompts.js";
import { resolveWhenText, type OfflineFn } from "./resolve.js";
import { LIMITS, TOOLS, parseToolCall } from "./tools.js";

export interface LlmExecutorOptions {
  client: LlmClient;
  logger: Logger;
  /** Resolves follow-up times deterministically. */
  offline: OfflineFn;
  /** What runs when the model cannot be used: the plain reminder. */
  fallback: Executor;
  /** Model round trips per run. @defaultValue 4 */
  maxRounds?: number;
  /**
   * max_completion_tokens of each completion (newer models refuse max_tokens). Reasoning models spend part
   * of it thinking, hence more than a short message needs. @defaultValue 1500
   */
  maxCompletionTokens?: number;
  /** Messages to the owner per run. @defaultValue 2 */
  maxMessages?: number;
  /** Wall time per run, all calls and retries included. @defaultValue 60000 */
  deadlineMs?: number;
  /** Latest follow-up, from now. @defaultValue 30 days */
  maxFollowUpMs?: number;
}

interface RunState {
  sent: string[];
  note?: string;
  finish: boolean;
  followUp?: { at: Date; title: string; instruction: string };
  rejected: number;
}

/**
 * Acts on a task with a model and four bounded tools (tools.ts). Bounds: `maxRounds` round trips,
 * `maxCompletionTokens` per completion, `maxMessages` messages, one follow-up, `deadlineMs` of wall time.
 *
 * On failure (after the SDK's bounded retries, or past the deadline) the run does not fail: the owner gets
 * the plain offline reminder, and the run's note says the model was unavailable. So does a run that reaches
 * the round limit without having sent anything. A reminder that arrives
 * plain beats one that arrives late or never, and the engine's own retries would only repeat the wait on a
 * model that is down. Messages already produced before a mid-run failure are kept instead.
 */
export class LlmExecutor implements Executor {
  private readonly maxRounds: number;

  constructor(private readonly o: LlmExecutorOptions) {
    this.maxRounds = o.maxRounds ?? 4;
  }

  async execute(input: ExecutionInput): Promise<ExecutionResult> {
    const totals = emptyTotals(this.o.client.model);
    const state: RunState = { sent: [], finish: false, rejected: 0 };
    try {
      const complete = await this.act(input, state, totals);
      if (!complete && !state.sent.length) {
        // A model still calling tools at the round limit without a word to the owner is stuck, not done.
        const plain = await this.o.fallback.execute(input);
        return {
          ...plain,
          note: [state.note, "model hit the round limit; sent the plain reminder"].filter(Boolean).join("\n"),
          usage: { ...totals, rejectedToolCalls: state.rejected },
        };
      }
    } catch (err) {
      const e = classifyLlmError(err);
      this.o.logger.warn(
        { taskId: input.run.task.id, code: e.code, status: e.status },
        "LLM run failed; sending the plain reminder",
      );
      if (!state.sent.length) {
        const plain = await this.o.fallback.execute(input);
        return { ...plain, note: `model unavailable (${e.code}); sent the plain reminder`, usage: totals };
      }
      state.note = [state.note, `model failed mid-run (${e.code})`].filter(Boolean).join("\n");
    }
    return {
      message: state.sent.join("\n\n"),
      note: state.note,
      finish: state.finish || undefined,
      followUp: state.followUp,
      usage: { ...totals, rejectedToolCalls: state.rejected },
    };
  }

  /** The tool loop; false when it stopped at the round limit rather than by the model's choice. */
  private async act(input: ExecutionInput, state: RunState, totals: UsageTotals): Promise<boolean> {
    const { run, now, occurrence, lateMs } = input;
    const signal = AbortSignal.timeout(this.o.deadlineMs ?? 60_000);
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: executeSystemPrompt(run, now, occurrence, lateMs) },
      { role: "user", content: "The task is due now. Act on it." },
    ];
    for (let round = 1; round <= this.maxRounds; round++) {
      const reply = await this.o.client.complete(
        {
          messages,
          tools: TOOLS,
          tool_choice: round === this.maxRounds ? "none" : "auto",
          max_completion_tokens: this.o.maxCompletionTokens ?? 1500,
        },
        { purpose: "execute", taskId: run.task.id, signal },
        (c): ChatCompletionMessage => {
          const m = c.choices[0]?.message;
          if (!m) throw invalidOutput("no choices");
          return m;
        },
        totals,
      );
      const calls = (reply.tool_calls ?? []).filter(
        (c): c is ChatCompletionMessageFunctionToolCall => c.type === "function",
      );
      if (!calls.length) {
        // A plain answer is a message to the owner, like send_message, unless one was sent already.
        const text = reply.content?.trim();
        if (text && !state.sent.length) state.sent.push(text.slice(0, LIMITS.messageChars));
        return true;
      }
      messages.push({ role: "assistant", content: reply.content ?? null, tool_calls: calls });
      for (const call of calls)
        messages.push({ role: "tool", tool_call_id: call.id, content: this.apply(call, state, input) });
    }
    this.o.logger.info({ taskId: run.task.id, rounds: this.maxRounds }, "LLM run stopped at its round limit");
    return false;
  }

  /** Carries out one tool call within the run's bounds; returns what the model is told. */
  private apply(call: ChatCompletionMessageFunctionToolCall, state: RunState, { run, now }: ExecutionInput): string {
    const parsed = parseToolCall(call.function.name, call.function.arguments);
    const reject = (error: string) => {
      state.rejected += 1;
      this.o.logger.warn({ taskId: run.task.id, tool: call.function.name, error }, "LLM tool call rejected");
      return `error: ${error}`;
    };
    if (!parsed.ok) return reject(parsed.error);
    const a = parsed.args;
    switch (parsed.name) {
      case "send_message":
        if (state.sent.length >= (this.o.maxMessages ?? 2))
          return reject(`at most ${this.o.maxMessages ?? 2} messages per run`);
        state.sent.push(a.text!);
        return "ok: the owner will receive it";
      case "record_note":
        state.note = a.note;
        return "ok: noted for the next run";
      case "finish_recurring_task":
        if (!run.task.rrule) return reject("this task does not repeat; it ends after this run anyway");
        state.finish = true;
        return "ok: the task ends after this run";
      case "schedule_follow_up": {
        if (state.followUp) return reject("only one follow-up per run");
        const tz = run.user.timezone || run.task.timezone;
        const at = resolveWhenText(a.when!, { now, tz }, this.o.offline);
        if (!at) return reject(`cannot read the time "${a.when}"; say it like "in 2 hours" or "tomorrow at 9am"`);
        if (at.getTime() <= now.getTime() || at.getTime() - now.getTime() > (this.o.maxFollowUpMs ?? 30 * 86_400_000))
          return reject("a follow-up must be in the future and within 30 days");
        state.followUp = { at, title: a.title!, instruction: a.title! };
        return `ok: follow-up scheduled for ${at.toISOString()}`;
      }
    }
  }
}
