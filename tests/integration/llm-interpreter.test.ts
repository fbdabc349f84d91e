import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { offlineInterpreter } from "../../src/ai/interpreter.js";
import { createInterpreter, PgUsageRecorder } from "../../src/ai/llm/index.js";
import type { OfflineFn } from "../../src/ai/llm/resolve.js";
import { interpretationToJson } from "../../src/ai/serialize.js";
import type { Extraction } from "../../src/ai/llm/extraction.js";
import type { Interpretation } from "../../src/ai/types.js";
import { silentLogger } from "../../src/log/index.js";
import { answer, FakeOpenAI, reply } from "../fakes/openai.js";
import { testConfig, testDatabaseUrl, unique } from "../helpers/runtime.js";

const TZ = "America/New_York";
const ctx = { now: new Date("2026-03-06T12:00:00-05:00"), tz: TZ }; // a Friday
const VAGUE = "ping me abt the dave thing tmrw, 5ish";
/** What the offline grammar "reads" in VAGUE: unsure, so auto mode asks the model. */
const VAGUE_OFFLINE: Interpretation = {
  intent: "create",
  task: "the dave thing",
  schedule: { kind: "unspecified" },
  confidence: 0.4,
};
const NOTHING: Interpretation = { intent: "other", task: null, schedule: null, confidence: 0 };
/**
 * The offline interpreter these tests inject: fixed readings for the messages they send (the grammar is
 * extended elsewhere, and these tests are about the model), nothing for any other text, so the resolver's
 * synthesized phrases fall back to the model's fields.
 */
const offlineReading =
  (readings: Record<string, Interpretation> = {}): OfflineFn =>
  (text) =>
    ({ [VAGUE]: VAGUE_OFFLINE, ...readings })[text] ?? NOTHING;
const offline = offlineReading();

const extraction = (over: Partial<Extraction> = {}) =>
  answer.interpretation({
    task: "call dave",
    when: answer.moment({ text: "tmrw, 5ish", day: "tomorrow", time: "17:00" }),
    confidence: 0.85,
    ...over,
  });

describe("LLM interpreter against an OpenAI-compatible server", () => {
  let fake: FakeOpenAI;
  let pool: pg.Pool;
  let model: string;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  afterAll(async () => pool.end());
  beforeEach(async () => {
    fake = await FakeOpenAI.start();
    model = unique("gpt-4o-mini");
  });
  afterEach(async () => fake.close());

  const interpreter = (
    env: Record<string, string> = {},
    recorder = new PgUsageRecorder(pool, silentLogger),
    offlineFn = offline,
  ) =>
    createInterpreter(
      testConfig({
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: model,
        OPENAI_TIMEOUT_MS: "400",
        INTERPRETER: "llm",
        ...env,
      }),
      { logger: silentLogger, usage: recorder, offline: offlineFn },
    );
  const calls = async () => (await pool.query(`SELECT * FROM llm_calls WHERE model = $1 ORDER BY at`, [model])).rows;

  it("asks for strict structured output and resolves the model's time expression in the user's zone", async () => {
    fake.enqueue(reply.json(extraction()));
    const it1 = await interpreter().interpret(VAGUE, ctx);

    expect(it1).toMatchObject({
      intent: "create",
      task: "call dave",
      schedule: { kind: "once", at: new Date("2026-03-07T17:00:00-05:00") },
    });
    expect(interpretationToJson(it1, TZ)).toMatchObject({
      intent: "create",
      task: "call dave",
      schedule: { kind: "once", at: "2026-03-07T17:00:00-05:00" },
      confidence: 0.85,
    });
    const sent = fake.requests[0]!.body;
    expect(sent.model).toBe(model);
    // The fake refuses a strict schema with an optional or open object, as OpenAI does: this one passed.
    expect(fake.requests[0]!.refused).toBeUndefined();
    expect(sent.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "interpretation", strict: true },
    });
    // Newer OpenAI models refuse the deprecated max_tokens.
    expect(sent.max_completion_tokens).toBe(2000);
    expect(sent).not.toHaveProperty("max_tokens");
    expect(sent.temperature).toBe(0);
    expect(String(sent.messages[0]!.content)).toContain(TZ);
    expect(sent.messages[1]!.content).toContain(JSON.stringify(VAGUE));
    expect(await calls()).toMatchObject([
      { purpose: "interpret", ok: true, prompt_tokens: 120, completion_tokens: 30, error: null },
    ]);
    expect((await calls())[0].cost_usd).toBeGreaterThan(0);
  });

  it("turns a repeating request with several times a day into one RRULE and its next occurrence", async () => {
    fake.enqueue(
      reply.json(
        extraction({
          task: "take my pills",
          when: answer.moment({ text: "at 9am and 9pm every day on weekdays", time: "09:00" }),
          recurrence: answer.recurrence({ byday: ["MO", "TU", "WE", "TH", "FR"], times: ["09:00", "21:00"] }),
        }),
      ),
    );
    const r = await interpreter().interpret("take my pills at 9am and 9pm on weekdays", ctx);
    expect(r).toMatchObject({
      task: "take my pills",
      schedule: {
        kind: "recurring",
        rrule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,21;BYMINUTE=0",
        tz: TZ,
        next: new Date("2026-03-06T21:00:00-05:00"),
      },
    });
  });

  it("reads a reschedule as an edit of only what it names", async () => {
    fake.enqueue(
      reply.json(
        extraction({
          intent: "reschedule",
          task: null,
          when: null,
          ref: { kind: "text", n: null, words: "dentist", when: null, freq: null },
          edit: answer.edit({ text: "to 4pm", times: ["16:00"] }),
        }),
      ),
    );
    const r = await interpreter().interpret("move the dentist one to 4pm", ctx);
    expect(r).toEqual({
      intent: "reschedule",
      task: null,
      schedule: null,
      edit: { times: [{ hour: 16, minute: 0 }] },
      ref: { kind: "text", words: "dentist" },
      confidence: 0.85,
    });
  });

  it("resolves a request's times in the zone it names, and reports the zone", async () => {
    fake.enqueue(
      reply.json(
        extraction({
          task: "call the office",
          when: answer.moment({ text: "at 5pm", time: "17:00" }),
          zone: { words: "pacific", iana: "America/Los_Angeles" },
        }),
      ),
    );
    const r = await interpreter().interpret("at 5pm pacific remind me to call the office", ctx);
    expect(r).toMatchObject({
      task: "call the office",
      zone: "America/Los_Angeles",
      schedule: { kind: "once", at: new Date("2026-03-06T17:00:00-08:00") },
    });
  });

  it("says that a date the model copied does not exist, and schedules nothing", async () => {
    fake.enqueue(
      reply.json(extraction({ task: "pay rent", when: answer.moment({ text: "on feb 30", day: "02-30" }) })),
    );
    const r = await interpreter().interpret("remind me on feb 30 to pay rent", ctx);
    expect(r).toMatchObject({
      task: "pay rent",
      schedule: { kind: "unspecified" },
      issues: [{ kind: "invalid_date", text: "on feb 30", reason: "February 2027 has 28 days" }],
    });
  });

  it("waits out a 429's Retry-After, then uses the answer", async () => {
    fake.enqueue(reply.error(429, { retryAfter: 1 }), reply.json(extraction()));
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r.task).toBe("call dave");
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expect(await calls()).toMatchObject([{ ok: true }]);
  });

  it("retries a failing server twice, then answers with the offline reading and records the failure", async () => {
    fake.always(reply.error(500));
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r).toEqual(VAGUE_OFFLINE);
    expect(fake.requests).toHaveLength(3);
    const rows = await calls();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ok: false, prompt_tokens: 0 });
    expect(rows[0].error).toMatch(/^herald_llm_unavailable/);
  });

  it("gives up on a server that never answers within the timeout and answers offline", async () => {
    fake.always(reply.hang());
    const started = Date.now();
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r).toEqual(VAGUE_OFFLINE);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(fake.requests).toHaveLength(3);
    expect((await calls())[0].error).toMatch(/^herald_llm_timeout/);
  });

  it("samples once more after malformed output, then answers offline", async () => {
    fake.always(reply.malformed());
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r).toEqual(VAGUE_OFFLINE);
    expect(fake.requests).toHaveLength(2);
    const rows = await calls();
    expect(rows.map((x) => x.ok)).toEqual([false, false]);
    expect(rows[0].error).toMatch(/^herald_llm_invalid_output/);
    expect(rows[0].prompt_tokens).toBe(120);
  });

  it("rejects JSON that breaks the schema and uses a valid second sample", async () => {
    fake.enqueue(reply.json({ ...extraction(), intent: "dance" }), reply.json(extraction()));
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r.task).toBe("call dave");
    expect((await calls()).map((x) => x.ok)).toEqual([false, true]);
  });

  describe("in auto mode", () => {
    const STRETCH = "every hour from 9 to 5 remind me to stretch";
    /** Confident, but "from 9 to 5" was left over: the grammar says so, and the model is asked. */
    const STRETCH_OFFLINE: Interpretation = {
      intent: "create",
      task: "stretch",
      schedule: { kind: "recurring", rrule: "FREQ=HOURLY", tz: TZ, next: new Date("2026-03-06T13:00:00-05:00") },
      issues: [{ kind: "unplaced", text: "from 9 to 5" }],
      confidence: 0.9,
    };
    const CLEAR = "remind me tomorrow at 5pm to call mom";
    const CLEAR_OFFLINE: Interpretation = {
      intent: "create",
      task: "call mom",
      schedule: { kind: "once", at: new Date("2026-03-07T17:00:00-05:00") },
      confidence: 0.9,
    };
    const auto = () =>
      interpreter(
        { INTERPRETER: "auto" },
        undefined,
        offlineReading({ [STRETCH]: STRETCH_OFFLINE, [CLEAR]: CLEAR_OFFLINE }),
      );

    it("uses a confident offline reading with nothing unplaced without calling the server", async () => {
      const r = await auto().interpret(CLEAR, ctx);
      expect(r).toEqual(CLEAR_OFFLINE);
      expect(fake.requests).toHaveLength(0);
      expect(await calls()).toHaveLength(0);
    });

    it("asks the model when the offline reading is unsure", async () => {
      fake.enqueue(reply.json(extraction()));
      const r = await auto().interpret(VAGUE, ctx);
      expect(r.task).toBe("call dave");
      expect(fake.requests).toHaveLength(1);
    });

    it("asks the model when a confident offline reading left words unplaced, and uses its window", async () => {
      fake.enqueue(
        reply.json(
          extraction({
            task: "stretch",
            when: answer.moment({ text: "every hour from 9 to 5" }),
            recurrence: answer.recurrence({ freq: "HOURLY", window: { from: "09:00", to: "17:00" } }),
          }),
        ),
      );
      const r = await auto().interpret(STRETCH, ctx);
      expect(fake.requests).toHaveLength(1);
      expect(r.schedule).toMatchObject({ rrule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0" });
      // The offline reading said it had missed part of the message, so it does not count against the model.
      expect(r.confidence).toBe(0.85);
      expect(r.issues).toBeUndefined();
    });

    it("answers with the offline reading and its issues when the model fails, so the conversation asks", async () => {
      fake.always(reply.error(500));
      const r = await auto().interpret(STRETCH, ctx);
      expect(r).toEqual(STRETCH_OFFLINE);
      expect(fake.requests).toHaveLength(3);
    });
  });

  describe("against servers that refuse a parameter", () => {
    it("drops temperature for a newer model that refuses it, once per process", async () => {
      fake.emulate("reasoning-model").always(reply.json(extraction()));
      const llm = interpreter();
      expect((await llm.interpret(VAGUE, ctx)).task).toBe("call dave");
      expect((await llm.interpret(VAGUE, ctx)).task).toBe("call dave");
      expect(fake.requests.map((r) => [r.refused ? "refused" : "answered", r.body.temperature])).toEqual([
        ["refused", 0],
        ["answered", undefined],
        ["answered", undefined],
      ]);
      expect(fake.requests.every((r) => r.body.max_completion_tokens === 2000 && !("max_tokens" in r.body))).toBe(true);
      expect((await calls()).map((c) => c.ok)).toEqual([true, true]);
    });

    it("sends max_tokens to an older compatible server that does not know max_completion_tokens", async () => {
      fake.emulate("legacy-server").always(reply.json(extraction()));
      expect((await interpreter().interpret(VAGUE, ctx)).task).toBe("call dave");
      expect(fake.requests.map((r) => [r.body.max_completion_tokens, r.body.max_tokens])).toEqual([
        [2000, undefined],
        [undefined, 2000],
      ]);
    });
  });

  it("still answers when the usage ledger cannot be written", async () => {
    const closed = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    await closed.end();
    fake.enqueue(reply.json(extraction()));
    const r = await interpreter({}, new PgUsageRecorder(closed, silentLogger)).interpret(VAGUE, ctx);
    expect(r.task).toBe("call dave");
  });

  it("is the offline interpreter without an API key, or with INTERPRETER=offline", () => {
    expect(createInterpreter(testConfig({ INTERPRETER: "llm" }), { logger: silentLogger })).toBe(offlineInterpreter);
    expect(
      createInterpreter(testConfig({ INTERPRETER: "offline", OPENAI_API_KEY: "sk-x" }), { logger: silentLogger }),
    ).toBe(offlineInterpreter);
  });
});
