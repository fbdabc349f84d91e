import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OfflineExecutor } from "../../src/ai/executor.js";
import { LlmClient } from "../../src/ai/llm/client.js";
import { LlmExecutor } from "../../src/ai/llm/executor.js";
import { ExtractionSchema } from "../../src/ai/llm/extraction.js";
import { noUsageRecorder } from "../../src/ai/llm/usage.js";
import { silentLogger } from "../../src/log/index.js";
import type { ExecutionInput } from "../../src/tasks/index.js";
import { FakeOpenAI, reply } from "../fakes/openai.js";

const now = new Date("2026-03-06T17:00:00-05:00");
/** The parts of a claimed run the executor reads (the engine's integration test runs the whole path). */
const input = {
  run: {
    task: { id: "t1", title: "call mom", instruction: "remind me at 5 to call mom", rrule: null, runCount: 0 },
    user: { timezone: "America/New_York" },
    previousOutputs: [],
  },
  occurrence: now,
  now,
  lateMs: 0,
} as unknown as ExecutionInput;

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await FakeOpenAI.start();
});
afterEach(async () => fake.close());

describe("strict structured output, as the fake checks it", () => {
  const ask = (schema: Record<string, unknown>) =>
    new OpenAI({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 }).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_schema", json_schema: { name: "interpretation", strict: true, schema } },
    });
  it("accepts the interpreter's schema: every field required, no object open", async () => {
    fake.always(reply.text("{}"));
    const schema = zodResponseFormat(ExtractionSchema, "interpretation").json_schema.schema!;
    await expect(ask(schema)).resolves.toMatchObject({ object: "chat.completion" });
  });
  it("refuses a schema with an optional field or an open object, as OpenAI does", async () => {
    const when = (inner: Record<string, unknown>) => ({
      type: "object",
      properties: {
        when: { type: "object", properties: { text: { type: "string" }, time: { type: "string" } }, ...inner },
      },
      required: ["when"],
      additionalProperties: false,
    });
    await expect(ask(when({ required: ["text"], additionalProperties: false }))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("Missing 'time'"),
    });
    await expect(ask(when({ required: ["text", "time"] }))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("'additionalProperties' is required to be supplied and to be false"),
    });
    expect(fake.requests.map((r) => r.refused !== undefined)).toEqual([true, true]);
  });
});

describe("the executor's requests on the wire", () => {
  const executor = () =>
    new LlmExecutor({
      client: new LlmClient(
        { apiKey: fake.apiKey, baseURL: fake.url, model: "gpt-5-mini", timeoutMs: 2000, maxRetries: 0 },
        noUsageRecorder,
        silentLogger,
      ),
      logger: silentLogger,
      offline: () => ({ intent: "other", task: null, schedule: null, confidence: 0 }),
      fallback: new OfflineExecutor(),
    });

  it("caps each completion with max_completion_tokens, which newer models require, never max_tokens", async () => {
    fake
      .emulate("reasoning-model")
      .enqueue(reply.tools([{ name: "send_message", arguments: { text: "Time to call mom" } }]), reply.text(""));
    const r = await executor().execute(input);
    expect(r.message).toBe("Time to call mom");
    expect(fake.requests.map((q) => [q.refused, q.body.max_completion_tokens, q.body.max_tokens])).toEqual([
      [undefined, 1500, undefined],
      [undefined, 1500, undefined],
    ]);
  });

  it("falls back to max_tokens for a compatible server that does not know max_completion_tokens", async () => {
    fake.emulate("legacy-server").enqueue(reply.text("Time to call mom"));
    const r = await executor().execute(input);
    expect(r.message).toBe("Time to call mom");
    expect(
      fake.requests.map((q) => [q.refused !== undefined, q.body.max_completion_tokens, q.body.max_tokens]),
    ).toEqual([
      [true, 1500, undefined],
      [false, undefined, 1500],
    ]);
  });
});
