import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { offlineInterpreter } from "../../src/ai/interpreter.js";
import { createInterpreter, PgUsageRecorder } from "../../src/ai/llm/index.js";
import type { OfflineFn } from "../../src/ai/llm/resolve.js";
import { interpretOffline } from "../../src/ai/offline/index.js";
import { interpretationToJson } from "../../src/ai/serialize.js";
import type { Interpretation } from "../../src/ai/types.js";
import { silentLogger } from "../../src/log/index.js";
import { FakeOpenAI, reply } from "../fakes/openai.js";
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
/** The real grammar, except for VAGUE (the synthesized phrases the resolver builds still go to the grammar). */
const offline: OfflineFn = (text, c) => (text === VAGUE ? VAGUE_OFFLINE : interpretOffline(text, c));

const extraction = (over: Record<string, unknown> = {}) => ({
  intent: "create",
  task: "call dave",
  when: { text: "tmrw, 5ish", in_minutes: null, day: "tomorrow", time: "17:00" },
  recurrence: null,
  ref: null,
  snooze_minutes: null,
  timezone: null,
  list_range: null,
  channel: null,
  audience: null,
  question: null,
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

  const interpreter = (env: Record<string, string> = {}, recorder = new PgUsageRecorder(pool, silentLogger)) =>
    createInterpreter(
      testConfig({
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: model,
        OPENAI_TIMEOUT_MS: "400",
        INTERPRETER: "llm",
        ...env,
      }),
      { logger: silentLogger, usage: recorder, offline },
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
    expect(interpretationToJson(it1, TZ)).toEqual({
      intent: "create",
      task: "call dave",
      schedule: { kind: "once", at: "2026-03-07T17:00:00-05:00" },
      confidence: 0.85,
    });
    const sent = fake.requests[0]!.body;
    expect(sent.model).toBe(model);
    expect(sent.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "interpretation", strict: true },
    });
    expect(String(sent.messages[0]!.content)).toContain(TZ);
    expect(sent.messages[1]!.content).toContain(JSON.stringify(VAGUE));
    expect(await calls()).toMatchObject([
      { purpose: "interpret", ok: true, prompt_tokens: 120, completion_tokens: 30, error: null },
    ]);
    expect((await calls())[0].cost_usd).toBeGreaterThan(0);
  });

  it("turns a repeating request into an RRULE and its next occurrence", async () => {
    fake.enqueue(
      reply.json(
        extraction({
          task: "gym",
          when: { text: "every monday and thursday at 7am", in_minutes: null, day: null, time: "07:00" },
          recurrence: {
            freq: "WEEKLY",
            interval: 1,
            byday: ["MO", "TH"],
            bymonthday: null,
            time: "07:00",
            until: null,
          },
        }),
      ),
    );
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r.schedule).toMatchObject({ kind: "recurring", tz: TZ, next: new Date("2026-03-09T07:00:00-04:00") });
    expect(r.schedule?.kind === "recurring" && r.schedule.rrule).toMatch(/FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=7;BYMINUTE=0/);
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
    fake.enqueue(reply.json(extraction({ intent: "dance" })), reply.json(extraction()));
    const r = await interpreter().interpret(VAGUE, ctx);
    expect(r.task).toBe("call dave");
    expect((await calls()).map((x) => x.ok)).toEqual([false, true]);
  });

  it("in auto mode uses a confident offline reading without calling the server", async () => {
    const r = await interpreter({ INTERPRETER: "auto" }).interpret("remind me tomorrow at 5pm to call mom", ctx);
    expect(r).toMatchObject({
      intent: "create",
      task: "call mom",
      schedule: { kind: "once", at: new Date("2026-03-07T17:00:00-05:00") },
    });
    expect(r.confidence).toBeGreaterThanOrEqual(0.8);
    expect(fake.requests).toHaveLength(0);
    expect(await calls()).toHaveLength(0);
  });

  it("in auto mode asks the model when the offline reading is unsure", async () => {
    fake.enqueue(reply.json(extraction()));
    const r = await interpreter({ INTERPRETER: "auto" }).interpret(VAGUE, ctx);
    expect(r.task).toBe("call dave");
    expect(fake.requests).toHaveLength(1);
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
