import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";

/**
 * Parameters an OpenAI-compatible server refuses, learned from its 400s, so that one client works against
 * newer OpenAI models and older compatible servers alike:
 * - newer OpenAI models (o-series, gpt-5) refuse `max_tokens` ("Use 'max_completion_tokens' instead") and
 *   any `temperature` but the default;
 * - older compatible servers may not know `max_completion_tokens` ("Unrecognized request argument").
 * Herald sends `max_completion_tokens` and `temperature` and drops or renames what a server has refused.
 * Pure functions; LlmClient keeps the set per client, so each refusal costs one extra request per process.
 */

export type Params = Omit<ChatCompletionCreateParamsNonStreaming, "model">;
export type Adjustable = "max_completion_tokens" | "max_tokens" | "temperature";

const ADJUSTABLE: readonly Adjustable[] = ["max_completion_tokens", "max_tokens", "temperature"];

/** The request as a server that refused `refused` takes it. Pure. */
export function adapt(params: Params, refused: ReadonlySet<Adjustable>): Params {
  const out: Params = { ...params };
  if (refused.has("temperature")) delete out.temperature;
  const cap = params.max_completion_tokens ?? params.max_tokens;
  delete out.max_completion_tokens;
  delete out.max_tokens;
  if (cap === undefined || cap === null) return out;
  // Prefer the current name; fall back to the deprecated one; send no cap to a server that refused both.
  if (!refused.has("max_completion_tokens")) out.max_completion_tokens = cap;
  else if (!refused.has("max_tokens")) out.max_tokens = cap;
  return out;
}

/**
 * The parameter a 400 says the server refuses, when it is one Herald can do without and it was sent,
 * else null. OpenAI names it in `param`; other servers only in the message. Pure.
 */
export function refusedParam(err: unknown, sent: Params): Adjustable | null {
  if (!(err instanceof OpenAI.APIError) || err.status !== 400) return null;
  const named = ADJUSTABLE.find((p) => p === err.param);
  // "Unsupported parameter: 'max_tokens' ... Use 'max_completion_tokens' instead": the first one named.
  const refusal = /unsupported|unrecognized|not supported|unknown|not allowed/i.test(err.message);
  const mentioned = ADJUSTABLE.map((p) => ({ p, at: err.message.search(new RegExp(`\\b${p}\\b`)) }))
    .filter((m) => m.at >= 0)
    .sort((a, b) => a.at - b.at)[0]?.p;
  const p = named ?? (refusal ? mentioned : undefined);
  return p && sent[p] !== undefined && sent[p] !== null ? p : null;
}
