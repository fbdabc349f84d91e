import type pg from "pg";
import type { Logger } from "../../log/index.js";

/** One model call as the llm_calls ledger keeps it. */
export interface LlmCallRecord {
  /** "interpret" or "execute". */
  purpose: "interpret" | "execute";
  model: string;
  ok: boolean;
  promptTokens: number;
  completionTokens: number;
  /** Estimated, from prices.ts. */
  costUsd: number;
  /** Wall time of the call including the SDK's retries. */
  ms: number;
  /** Error code and message of a failed call (never the prompt or the reply). */
  error?: string | null;
  taskId?: string | null;
  at?: Date;
}

/** Where model calls are recorded. Implementations never throw: a ledger problem must not fail a reply or a run. */
export interface UsageRecorder {
  record(call: LlmCallRecord): Promise<void>;
}

/** Records nothing (`herald parse`, which stores nothing, and tests that do not look). */
export const noUsageRecorder: UsageRecorder = { async record() {} };

/**
 * Inserts each call into llm_calls on the shared pool. A failed insert is logged at warn and dropped:
 * the ledger feeds the sitrep's cost line, and losing a row is better than losing the reply.
 */
export class PgUsageRecorder implements UsageRecorder {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  async record(c: LlmCallRecord): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO llm_calls (purpose, model, ok, prompt_tokens, completion_tokens, cost_usd, ms, error, task_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          c.purpose,
          c.model,
          c.ok,
          c.promptTokens,
          c.completionTokens,
          c.costUsd,
          Math.round(c.ms),
          c.error?.slice(0, 2000) ?? null,
          c.taskId ?? null,
          c.at ?? new Date(),
        ],
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, purpose: c.purpose }, "could not record an LLM call; continuing");
    }
  }
}
