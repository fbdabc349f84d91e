import type { ChatCompletion } from "openai/resources/chat/completions";
import { zodResponseFormat } from "openai/helpers/zod";
import type { Logger } from "../../log/index.js";
import type { Interpreter } from "../interpreter.js";
import type { InterpretContext, Interpretation, Issue } from "../types.js";
import { classifyLlmError, invalidOutput, type LlmClient } from "./client.js";
import { ExtractionSchema, type Extraction } from "./extraction.js";
import { interpretSystemPrompt, interpretUserPrompt } from "./prompts.js";
import { resolveExtraction, type OfflineFn } from "./resolve.js";

/** Offline readings at least this confident (and with nothing unplaced) are used as they are in auto mode. */
export const AUTO_THRESHOLD = 0.8;
/** Completion tokens per interpretation. Reasoning models count their reasoning here too, hence the room. */
export const INTERPRET_MAX_COMPLETION_TOKENS = 2000;

/**
 * Issues that a model can resolve: words the grammar could not place, readings that conflict, a schedule it
 * could not express. An impossible date or time (feb 30, 25:00) is not one: the model cannot make it exist,
 * and the conversation explains it as it is.
 */
const MODEL_CAN_HELP: ReadonlySet<Issue["kind"]> = new Set(["unplaced", "conflict", "unsupported"]);

/**
 * Why auto mode should ask the model about an offline reading, or null when the reading is used as is:
 * below the threshold, reporting what it could not place, or asking the user a question. Pure.
 */
export function reasonToConsult(offline: Interpretation, threshold: number): string | null {
  if (offline.confidence < threshold) return "unsure";
  if (offline.issues?.some((i) => MODEL_CAN_HELP.has(i.kind))) return "issues";
  if (offline.question) return "question";
  return null;
}

export interface LlmInterpreterOptions {
  client: LlmClient;
  logger: Logger;
  /** The offline interpreter: the auto-mode first reading, the cross-check, and the fallback. */
  offline: OfflineFn;
  /** auto: the LLM only when the offline reading needs it (see reasonToConsult); llm: always the LLM. */
  mode: "auto" | "llm";
  /** @defaultValue AUTO_THRESHOLD (0.8) */
  threshold?: number;
  /** max_completion_tokens of each call. @defaultValue INTERPRET_MAX_COMPLETION_TOKENS (2000) */
  maxCompletionTokens?: number;
  /** Extra samples after an answer of the wrong shape (HTTP retries are the SDK's). @defaultValue 1 */
  outputRetries?: number;
  /** Wall-time bound on one interpretation, retries and Retry-After waits included. @defaultValue 3 × timeout + 5 s */
  deadlineMs?: number;
}

const RESPONSE_FORMAT = zodResponseFormat(ExtractionSchema, "interpretation");

/** Reads the structured answer, or throws invalidOutput. Pure. */
export function readExtraction(c: ChatCompletion): Extraction {
  const choice = c.choices[0];
  if (!choice) throw invalidOutput("no choices");
  if (choice.message.refusal) throw invalidOutput("the model refused");
  if (choice.finish_reason === "length") throw invalidOutput("cut off at the token limit");
  let json: unknown;
  try {
    json = JSON.parse(choice.message.content ?? "");
  } catch {
    throw invalidOutput("content is not JSON");
  }
  const parsed = ExtractionSchema.safeParse(json);
  if (!parsed.success)
    throw invalidOutput(
      parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; "),
    );
  return parsed.data;
}

/**
 * Interprets with a model: the model extracts the intent, the task and the time expression; resolve.ts
 * turns the expression into instants in the user's zone and cross-checks them. Never fails: when the model
 * cannot be used (rate limited, down, slow, answering nonsense) after bounded retries, the offline reading
 * is the answer, with its issues, so the conversation asks about what it could not place.
 */
export class LlmInterpreter implements Interpreter {
  private readonly threshold: number;
  private readonly outputRetries: number;
  private readonly deadlineMs: number;

  constructor(private readonly o: LlmInterpreterOptions) {
    this.threshold = o.threshold ?? AUTO_THRESHOLD;
    this.outputRetries = o.outputRetries ?? 1;
    const s = o.client.settings;
    this.deadlineMs = o.deadlineMs ?? (s.maxRetries + 1) * s.timeoutMs + 5_000;
  }

  async interpret(text: string, ctx: InterpretContext): Promise<Interpretation> {
    const offline = this.offlineReading(text, ctx);
    const reason = this.o.mode === "llm" ? "llm mode" : reasonToConsult(offline, this.threshold);
    if (!reason) return offline;
    this.o.logger.debug({ reason }, "consulting the model");
    try {
      const extraction = await this.extract(text, ctx);
      const { interpretation, disagreements } = resolveExtraction(extraction, ctx, this.o.offline, offline);
      if (disagreements.length)
        this.o.logger.info(
          { disagreements, intent: interpretation.intent },
          "LLM and deterministic readings disagree; confidence lowered",
        );
      return interpretation;
    } catch (err) {
      const e = classifyLlmError(err);
      this.o.logger.warn(
        { code: e.code, status: e.status },
        "LLM interpretation failed; answering with the offline reading",
      );
      return offline;
    }
  }

  private offlineReading(text: string, ctx: InterpretContext): Interpretation {
    try {
      return this.o.offline(text, ctx);
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message }, "offline interpreter threw");
      return { intent: "other", task: null, schedule: null, confidence: 0 };
    }
  }

  private async extract(text: string, ctx: InterpretContext): Promise<Extraction> {
    const signal = AbortSignal.timeout(this.deadlineMs);
    const messages = [
      { role: "system" as const, content: interpretSystemPrompt(ctx.now, ctx.tz) },
      { role: "user" as const, content: interpretUserPrompt(text) },
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.o.client.complete(
          {
            messages,
            response_format: RESPONSE_FORMAT,
            max_completion_tokens: this.o.maxCompletionTokens ?? INTERPRET_MAX_COMPLETION_TOKENS,
            temperature: 0,
          },
          { purpose: "interpret", signal },
          readExtraction,
        );
      } catch (err) {
        const e = classifyLlmError(err);
        if (e.code !== "herald_llm_invalid_output" || attempt >= this.outputRetries) throw e;
      }
    }
  }
}
