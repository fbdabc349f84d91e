import { describe, expect, it } from "vitest";
import { readMoment } from "../../src/ai/llm/calendar.js";
import { reasonToConsult } from "../../src/ai/llm/interpreter.js";
import {
  DISAGREEMENT_CONFIDENCE,
  type OfflineFn,
  resolveExtraction,
  resolveWhenText,
} from "../../src/ai/llm/resolve.js";
import type { Interpretation, Schedule } from "../../src/ai/types.js";
import { answer } from "../fakes/openai.js";

const TZ = "America/New_York";
const ctx = { now: new Date("2026-03-06T12:00:00-05:00"), tz: TZ }; // Friday noon; DST starts Sunday March 8
const { interpretation: base, moment } = answer;

const nothing: Interpretation = { intent: "other", task: null, schedule: null, confidence: 0 };
/**
 * A stand-in for the offline grammar that reads exactly the phrases given and nothing else, so these tests
 * do not depend on what the grammar (extended elsewhere) reads today.
 */
const grammar =
  (readings: Record<string, Partial<Interpretation>>): OfflineFn =>
  (text) => ({ ...nothing, ...readings[text] });
const noGrammar = grammar({});
/** The grammar's reading of a synthesized "remind me <when> to check the list" phrase. */
const phrase = (when: string) => `remind me ${when} to check the list`;
const reads = (schedule: Schedule): Partial<Interpretation> => ({
  intent: "create",
  task: "check the list",
  schedule,
  confidence: 0.9,
});
const at = (iso: string): Schedule => ({ kind: "once", at: new Date(iso) });
const resolve = (over: Parameters<typeof base>[0], offline = noGrammar, offlineReading?: Interpretation) =>
  resolveExtraction(base(over), ctx, offline, offlineReading);

describe("resolving the model's one-off time fields", () => {
  const value = (r: ReturnType<typeof readMoment>) => (r && "value" in r ? r.value : r);
  it("reads a weekday as the next such day, across the DST change, at the wall time in the user's zone", () => {
    expect(value(readMoment(moment({ day: "MO", time: "09:30" }), ctx))).toEqual(new Date("2026-03-09T09:30:00-04:00"));
  });
  it("reads a time already past today as tomorrow", () => {
    expect(value(readMoment(moment({ time: "08:00" }), ctx))).toEqual(new Date("2026-03-07T08:00:00-05:00"));
  });
  it("rolls a month-day already past into next year", () => {
    expect(value(readMoment(moment({ day: "01-15", time: "10:00" }), ctx))).toEqual(
      new Date("2027-01-15T10:00:00-05:00"),
    );
  });
  it("adds relative minutes to now", () => {
    expect(value(readMoment(moment({ in_minutes: 90 }), ctx))).toEqual(new Date(ctx.now.getTime() + 90 * 60_000));
  });
  it("names nothing without a day or a time, and reports a day it cannot read as unplaced", () => {
    expect(readMoment(moment({ text: "sometime" }), ctx)).toBeNull();
    expect(readMoment(moment({ text: "someday at 5", day: "someday", time: "17:00" }), ctx)).toEqual({
      issue: { kind: "unplaced", text: "someday at 5" },
    });
  });
  it("places a reminder its lead time before the moment it anchors on", () => {
    const r = resolve({
      task: "leave for the meeting",
      when: moment({ text: "30 minutes before my 3pm meeting tomorrow", day: "tomorrow", time: "15:00" }),
      lead_minutes: 30,
    });
    expect(r.interpretation.schedule).toEqual(at("2026-03-07T14:30:00-05:00"));
  });
  it("keeps further one-off times of the same request in `also`, once each", () => {
    const r = resolve({
      task: "wake up",
      when: moment({ text: "6", time: "06:00" }),
      also: [moment({ text: "6:30", time: "06:30" }), moment({ text: "6", time: "06:00" })],
    }).interpretation;
    expect(r.schedule).toEqual(at("2026-03-07T06:00:00-05:00"));
    expect(r.also).toEqual([at("2026-03-07T06:30:00-05:00")]);
  });
});

describe("a repeating create with a one-off beside it", () => {
  it("keeps the one-off in `also` rather than dropping it", () => {
    const r = resolve({
      task: "water the plants",
      when: moment({ text: "every day at 9, and tomorrow at 3pm too" }),
      recurrence: answer.recurrence({ times: ["09:00"] }),
      also: [moment({ text: "tomorrow at 3pm", day: "tomorrow", time: "15:00" })],
    }).interpretation;
    expect(r.schedule).toMatchObject({ kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0" });
    expect(r.also).toEqual([at("2026-03-07T15:00:00-05:00")]);
  });
});

describe("dates and times that do not exist", () => {
  it("says that February has no 30th instead of scheduling anything", () => {
    const r = resolve({ when: moment({ text: "feb 30 at 9", day: "02-30", time: "09:00" }) }).interpretation;
    expect(r.schedule).toEqual({ kind: "unspecified" });
    expect(r.issues).toEqual([{ kind: "invalid_date", text: "feb 30 at 9", reason: "February 2027 has 28 days" }]);
  });
  it("names the month and year of a day past its end, this year while the month is still to come", () => {
    const r = resolve({ when: moment({ text: "april 31", day: "04-31" }) }).interpretation;
    expect(r.issues).toEqual([{ kind: "invalid_date", text: "april 31", reason: "April 2026 has 30 days" }]);
  });
  it("says what is wrong with 25:00 and 13pm", () => {
    expect(resolve({ task: "sleep", when: moment({ text: "at 25:00", time: "25:00" }) }).interpretation).toMatchObject({
      task: "sleep",
      schedule: { kind: "unspecified" },
      issues: [{ kind: "invalid_time", text: "at 25:00", reason: "the hour runs from 0 to 23 (got 25)" }],
    });
    expect(resolve({ when: moment({ text: "13pm", time: "13pm" }) }).interpretation.issues).toEqual([
      { kind: "invalid_time", text: "13pm", reason: "with am or pm, the hour runs from 1 to 12 (got 13)" },
    ]);
  });
  it("never lets the grammar turn an impossible date into a real one", () => {
    const rolls = grammar({ [phrase("feb 30")]: reads(at("2026-03-02T09:00:00-05:00")) });
    const r = resolve({ when: moment({ text: "feb 30", day: "02-30" }) }, rolls).interpretation;
    expect(r.schedule).toEqual({ kind: "unspecified" });
    expect(r.issues?.[0]?.kind).toBe("invalid_date");
  });
  it("reports the model's own issue once when it says what resolution found, with resolution's reason", () => {
    const r = resolve({
      when: moment({ text: "feb 30", day: "02-30" }),
      issues: [{ kind: "invalid_date", text: "feb 30", reason: null, options: [] }],
    }).interpretation;
    expect(r.issues).toEqual([{ kind: "invalid_date", text: "feb 30", reason: "February 2027 has 28 days" }]);
  });
  it("passes on what the model could not place, with a plain reason where the model gave none", () => {
    const r = resolve({
      when: moment({ text: "at 5", time: "17:00" }),
      issues: [
        { kind: "unplaced", text: "after the thing", reason: null, options: [] },
        { kind: "unsupported", text: "every full moon", reason: null, options: [] },
        { kind: "conflict", text: "tomorrow at 5 on friday", reason: null, options: ["tomorrow", "friday"] },
      ],
    }).interpretation;
    expect(r.issues).toEqual([
      { kind: "unplaced", text: "after the thing" },
      { kind: "unsupported", text: "every full moon", reason: "Herald can't repeat a reminder that way" },
      { kind: "conflict", text: "tomorrow at 5 on friday", options: ["tomorrow", "friday"] },
    ]);
    expect(r.schedule).toEqual(at("2026-03-06T17:00:00-05:00"));
  });
});

describe("a zone named in the request", () => {
  it("resolves the times in the zone the model names and reports it, leaving it out of the task", () => {
    const r = resolve({
      task: "call the office",
      when: moment({ text: "at 5pm", time: "17:00" }),
      zone: { words: "pacific", iana: "America/Los_Angeles" },
    }).interpretation;
    expect(r).toMatchObject({ task: "call the office", zone: "America/Los_Angeles" });
    expect(r.schedule).toEqual(at("2026-03-06T17:00:00-08:00"));
  });
  it("builds a repeating rule in the named zone", () => {
    const r = resolve({
      when: moment({ text: "every day at 9am Berlin time" }),
      recurrence: answer.recurrence({ times: ["09:00"] }),
      zone: { words: "Berlin time", iana: "europe/berlin" },
    }).interpretation;
    expect(r.zone).toBe("Europe/Berlin");
    expect(r.schedule).toMatchObject({
      kind: "recurring",
      tz: "Europe/Berlin",
      next: new Date("2026-03-07T09:00+01:00"),
    });
  });
  it("reads an abbreviation through the grammar's zone names, not as IANA's fixed-offset EST", () => {
    const names = grammar({ "my time zone is EST": { intent: "timezone", timezone: "America/New_York" } });
    const r = resolve(
      { when: moment({ text: "5pm EST", time: "17:00" }), zone: { words: "EST", iana: "EST" } },
      names,
    ).interpretation;
    expect(r.zone).toBe("America/New_York");
  });
  it("accepts UTC, and reports a zone nobody knows as unplaced instead of guessing", () => {
    const utc = resolve({ when: moment({ time: "18:00" }), zone: { words: "UTC", iana: "UTC" } }).interpretation;
    expect(utc).toMatchObject({ zone: "UTC", schedule: at("2026-03-06T18:00:00Z") });
    const r = resolve({ when: moment({ time: "17:00" }), zone: { words: "Narnia time", iana: "Narnia/Cair" } });
    expect(r.interpretation.zone).toBeUndefined();
    expect(r.interpretation.issues).toEqual([{ kind: "unplaced", text: "Narnia time" }]);
  });
  it("drops a user's zone that is not an IANA zone, at lower confidence", () => {
    const r = resolve({ intent: "timezone", task: null, zone: { words: "Mars", iana: "Mars/Olympus" } }).interpretation;
    expect(r.timezone).toBeUndefined();
    expect(r.confidence).toBe(DISAGREEMENT_CONFIDENCE);
  });
  it("sets the user's zone for the timezone intent, not the request's", () => {
    const r = resolve({ intent: "timezone", task: null, zone: { words: "Tokyo", iana: "Asia/Tokyo" } }).interpretation;
    expect(r).toMatchObject({ intent: "timezone", timezone: "Asia/Tokyo" });
    expect(r.zone).toBeUndefined();
  });
});

describe("cross-checking the model against deterministic readings", () => {
  it("prefers the grammar's reading of the model's one-off expression over the model's fields, at lower confidence", () => {
    const g = grammar({ [phrase("tomorrow at 5pm")]: reads(at("2026-03-07T17:00:00-05:00")) });
    const { interpretation, disagreements } = resolve(
      { when: moment({ text: "tomorrow at 5pm", day: "tomorrow", time: "18:00" }) },
      g,
    );
    expect(interpretation.schedule).toEqual(at("2026-03-07T17:00:00-05:00"));
    expect(interpretation.confidence).toBe(DISAGREEMENT_CONFIDENCE);
    expect(disagreements).toHaveLength(1);
  });
  it("uses the fields when the grammar reads only part of the expression", () => {
    const partial = grammar({ [phrase("tmrw, 5ish")]: { ...reads(at("2026-03-07T09:00:00-05:00")), task: "5ish" } });
    const { interpretation, disagreements } = resolve(
      { when: moment({ text: "tmrw, 5ish", day: "tomorrow", time: "17:00" }) },
      partial,
    );
    expect(interpretation.schedule).toEqual(at("2026-03-07T17:00:00-05:00"));
    expect(disagreements).toEqual([]);
    expect(interpretation.confidence).toBe(0.9);
  });
  it("lowers confidence when the offline reading of the whole message names another time", () => {
    const offlineReading = { ...reads(at("2026-03-07T05:00:00-05:00")), task: "call mom", confidence: 0.6 };
    const { interpretation } = resolve(
      { when: moment({ text: "at 5", time: "17:00" }) },
      noGrammar,
      offlineReading as Interpretation,
    );
    expect(interpretation.schedule).toEqual(at("2026-03-06T17:00:00-05:00"));
    expect(interpretation.confidence).toBe(DISAGREEMENT_CONFIDENCE);
  });
  it("does not hold an offline reading that reported unplaced words against the model", () => {
    const offlineReading = {
      ...reads(at("2026-03-07T09:00:00-05:00")),
      issues: [{ kind: "unplaced" as const, text: "and 9pm" }],
    } as Interpretation;
    const { interpretation, disagreements } = resolve(
      { when: moment({ text: "at 5", time: "17:00" }) },
      noGrammar,
      offlineReading,
    );
    expect(disagreements).toEqual([]);
    expect(interpretation.confidence).toBe(0.9);
  });
  it("leaves a create without a time unspecified, so the conversation asks for one", () => {
    expect(resolve({}).interpretation.schedule).toEqual({ kind: "unspecified" });
  });
  it("reports time words that neither the grammar nor the fields could place, instead of dropping them", () => {
    const r = resolve({ when: moment({ text: "after the game" }) }).interpretation;
    expect(r).toMatchObject({
      schedule: { kind: "unspecified" },
      issues: [{ kind: "unplaced", text: "after the game" }],
    });
  });
});

describe("the other intents", () => {
  it("resolves a reference by time, a list range and a list limit in the user's zone", () => {
    const ref = {
      kind: "time" as const,
      n: null,
      words: null,
      freq: null,
      when: moment({ text: "3pm", time: "15:00" }),
    };
    expect(resolve({ intent: "cancel", task: null, ref }).interpretation.ref).toEqual({
      kind: "time",
      at: new Date("2026-03-06T15:00:00-05:00"),
    });
    const list = resolve({ intent: "list", task: null, list_range: "tomorrow", list_limit: 1 }).interpretation;
    expect(list).toMatchObject({
      range: { from: new Date("2026-03-07T00:00:00-05:00"), to: new Date("2026-03-08T00:00:00-05:00") },
      limit: 1,
    });
  });
  it("passes the new intents through with the task they refer to", () => {
    const ref = { kind: "text" as const, n: null, words: "recycling", when: null, freq: null };
    expect(resolve({ intent: "skip", task: null, ref }).interpretation).toEqual({
      intent: "skip",
      task: null,
      schedule: null,
      ref: { kind: "text", words: "recycling" },
      confidence: 0.9,
    });
    for (const intent of ["done", "undo", "confirm", "deny"] as const)
      expect(resolve({ intent, task: null }).interpretation).toMatchObject({ intent, schedule: null });
  });
  it("marks a message that is only a time as a fragment", () => {
    const r = resolve({ task: null, when: moment({ text: "at 5", time: "17:00" }), fragment: true }).interpretation;
    expect(r).toMatchObject({ fragment: true, schedule: at("2026-03-06T17:00:00-05:00") });
  });
  it("reads a follow-up's words with the grammar, or as plain 'in N hours'", () => {
    const g = grammar({ [phrase("tomorrow at 9am")]: reads(at("2026-03-07T09:00:00-05:00")) });
    expect(resolveWhenText("tomorrow at 9am", ctx, g)).toEqual(new Date("2026-03-07T09:00:00-05:00"));
    expect(resolveWhenText("in 3 hours", ctx, noGrammar)).toEqual(new Date(ctx.now.getTime() + 3 * 3600_000));
    expect(resolveWhenText("whenever", ctx, noGrammar)).toBeNull();
  });
});

describe("when auto mode consults the model", () => {
  const sure: Interpretation = { ...nothing, intent: "create", task: "call mom", confidence: 0.9 };
  it("uses a confident offline reading with nothing unplaced as it is", () => {
    expect(reasonToConsult(sure, 0.8)).toBeNull();
  });
  it("asks when the reading is unsure, reports words or readings it could not place, or asks a question", () => {
    expect(reasonToConsult({ ...sure, confidence: 0.5 }, 0.8)).toBe("unsure");
    expect(reasonToConsult({ ...sure, issues: [{ kind: "unplaced", text: "ish" }] }, 0.8)).toBe("issues");
    expect(reasonToConsult({ ...sure, issues: [{ kind: "conflict", text: "x" }] }, 0.8)).toBe("issues");
    expect(reasonToConsult({ ...sure, issues: [{ kind: "unsupported", text: "x", reason: "y" }] }, 0.8)).toBe("issues");
    expect(reasonToConsult({ ...sure, question: "When?" }, 0.8)).toBe("question");
  });
  it("does not ask about a date that does not exist: no model can make feb 30 exist", () => {
    expect(
      reasonToConsult({ ...sure, issues: [{ kind: "invalid_date", text: "feb 30", reason: "no" }] }, 0.8),
    ).toBeNull();
  });
});
