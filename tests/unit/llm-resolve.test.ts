import { describe, expect, it } from "vitest";
import type { Extraction } from "../../src/ai/llm/extraction.js";
import {
  DISAGREEMENT_CONFIDENCE,
  momentFromFields,
  recurrenceFromFields,
  resolveExtraction,
  resolveWhenText,
  type OfflineFn,
} from "../../src/ai/llm/resolve.js";
import { interpretOffline } from "../../src/ai/offline/index.js";

const TZ = "America/New_York";
const ctx = { now: new Date("2026-03-06T12:00:00-05:00"), tz: TZ }; // Friday noon; DST starts Sunday March 8
const moment = (o: Partial<Extraction["when"] & object>) => ({
  text: "",
  in_minutes: null,
  day: null,
  time: null,
  ...o,
});
const base = (o: Partial<Extraction>): Extraction => ({
  intent: "create",
  task: "call mom",
  when: null,
  recurrence: null,
  ref: null,
  snooze_minutes: null,
  timezone: null,
  list_range: null,
  channel: null,
  audience: null,
  question: null,
  confidence: 0.9,
  ...o,
});
const noGrammar: OfflineFn = () => ({ intent: "other", task: null, schedule: null, confidence: 0 });

describe("resolving the model's time fields", () => {
  it("reads a weekday as the next such day, across the DST change, at the wall time in the user's zone", () => {
    expect(momentFromFields(moment({ day: "MO", time: "09:30" }), ctx)).toEqual(new Date("2026-03-09T09:30:00-04:00"));
  });
  it("reads a time already past today as tomorrow", () => {
    expect(momentFromFields(moment({ time: "08:00" }), ctx)).toEqual(new Date("2026-03-07T08:00:00-05:00"));
  });
  it("rolls a month-day already past into next year", () => {
    expect(momentFromFields(moment({ day: "01-15", time: "10:00" }), ctx)).toEqual(
      new Date("2027-01-15T10:00:00-05:00"),
    );
  });
  it("adds relative minutes to now", () => {
    expect(momentFromFields(moment({ in_minutes: 90 }), ctx)).toEqual(new Date(ctx.now.getTime() + 90 * 60_000));
  });
  it("names nothing without a day or a time, and nothing for nonsense", () => {
    expect(momentFromFields(moment({ text: "sometime" }), ctx)).toBeNull();
    expect(momentFromFields(moment({ day: "someday", time: "25:99" }), ctx)).toBeNull();
  });
  it("builds an RRULE with INTERVAL, BYDAY, the time and a floating UNTIL", () => {
    const r = recurrenceFromFields(
      { freq: "WEEKLY", interval: 2, byday: ["TU", "TU", "FR"], bymonthday: null, time: "18:15", until: "2026-06-30" },
      ctx,
    );
    expect(r?.rrule).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR;BYHOUR=18;BYMINUTE=15;UNTIL=20260630T235959Z");
    expect(r?.next).toEqual(new Date("2026-03-06T18:15:00-05:00"));
  });
  it("refuses a rule that never fires", () => {
    expect(
      recurrenceFromFields(
        { freq: "DAILY", interval: 1, byday: [], bymonthday: null, time: "09:00", until: "2020-01-01" },
        ctx,
      ),
    ).toBeNull();
  });
});

describe("cross-checking the model against deterministic readings", () => {
  it("prefers the grammar's reading of the model's expression over the model's own fields, at lower confidence", () => {
    const x = base({ when: moment({ text: "tomorrow at 5pm", day: "tomorrow", time: "18:00" }) });
    const { interpretation, disagreements } = resolveExtraction(x, ctx, interpretOffline);
    expect(interpretation.schedule).toEqual({ kind: "once", at: new Date("2026-03-07T17:00:00-05:00") });
    expect(interpretation.confidence).toBe(DISAGREEMENT_CONFIDENCE);
    expect(disagreements).toHaveLength(1);
  });
  it("uses the fields when the grammar reads only part of the expression", () => {
    const x = base({ when: moment({ text: "tmrw, 5ish", day: "tomorrow", time: "17:00" }) });
    const { interpretation, disagreements } = resolveExtraction(x, ctx, interpretOffline);
    expect(interpretation.schedule).toEqual({ kind: "once", at: new Date("2026-03-07T17:00:00-05:00") });
    expect(disagreements).toEqual([]);
    expect(interpretation.confidence).toBe(0.9);
  });
  it("lowers confidence when the offline reading of the whole message names another time", () => {
    const x = base({ when: moment({ text: "at 5", time: "17:00" }) });
    const offlineReading = {
      intent: "create" as const,
      task: "call mom",
      schedule: { kind: "once" as const, at: new Date("2026-03-07T05:00:00-05:00") },
      confidence: 0.6,
    };
    const { interpretation } = resolveExtraction(x, ctx, noGrammar, offlineReading);
    expect(interpretation.schedule).toEqual({ kind: "once", at: new Date("2026-03-06T17:00:00-05:00") });
    expect(interpretation.confidence).toBe(DISAGREEMENT_CONFIDENCE);
  });
  it("leaves a create without a time unspecified, so the conversation asks for one", () => {
    expect(resolveExtraction(base({}), ctx, noGrammar).interpretation.schedule).toEqual({ kind: "unspecified" });
  });
  it("drops a time zone that is not an IANA zone", () => {
    const r = resolveExtraction(
      base({ intent: "timezone", task: null, timezone: "Mars/Olympus" }),
      ctx,
      noGrammar,
    ).interpretation;
    expect(r.timezone).toBeUndefined();
    expect(r.confidence).toBe(DISAGREEMENT_CONFIDENCE);
  });
  it("resolves a reference by time and a list range in the user's zone", () => {
    const cancel = resolveExtraction(
      base({
        intent: "cancel",
        task: null,
        ref: { kind: "time", n: null, words: null, freq: null, when: moment({ text: "3pm", time: "15:00" }) },
      }),
      ctx,
      interpretOffline,
    ).interpretation;
    expect(cancel.ref).toEqual({ kind: "time", at: new Date("2026-03-06T15:00:00-05:00") });
    const list = resolveExtraction(
      base({ intent: "list", task: null, list_range: "tomorrow" }),
      ctx,
      noGrammar,
    ).interpretation;
    expect(list.range).toEqual({
      from: new Date("2026-03-07T00:00:00-05:00"),
      to: new Date("2026-03-08T00:00:00-05:00"),
    });
  });
  it("reads a follow-up's words with the grammar, or as plain 'in N hours'", () => {
    expect(resolveWhenText("tomorrow at 9am", ctx, interpretOffline)).toEqual(new Date("2026-03-07T09:00:00-05:00"));
    expect(resolveWhenText("in 3 hours", ctx, noGrammar)).toEqual(new Date(ctx.now.getTime() + 3 * 3600_000));
    expect(resolveWhenText("whenever", ctx, noGrammar)).toBeNull();
  });
});
