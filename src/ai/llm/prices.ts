/**
 * Estimated prices in USD per million tokens, for the llm_calls ledger and the sitrep's cost line.
 * Estimates only: providers change prices, and an OpenAI-compatible server may charge nothing. A model not
 * listed is matched by its longest listed prefix ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"), else costs 0.
 * Source: https://openai.com/api/pricing (checked 2025).
 */
const PER_MILLION: Record<string, { input: number; output: number }> = {
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5": { input: 1.25, output: 10 },
  "o4-mini": { input: 1.1, output: 4.4 },
};

/** The estimated cost of one call, in USD (0 for a model without a listed price). */
export function estimateCostUsd(model: string, promptTokens: number, completionTokens: number): number {
  const key = Object.keys(PER_MILLION)
    .filter((k) => model === k || model.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (!key) return 0;
  const p = PER_MILLION[key]!;
  return (promptTokens * p.input + completionTokens * p.output) / 1_000_000;
}
