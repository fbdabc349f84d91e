import { describe, expect, it } from "vitest";
import { DISAGREEMENT_CONFIDENCE, type OfflineFn, resolveExtraction } from "../../src/ai/llm/resolve.js";
import type { Interpretation } from "../../src/ai/types.js";
import { answer } from "../fakes/openai.js";

const TZ = "America/New_York";
const ctx = { now: new Date("2026-03-06T12:00:00-05:00"), tz: TZ }; // Friday noon
const noGrammar: OfflineFn = () => ({ intent: "other", task: null, schedule: null, confidence: 0 });

const { edit } = answer;
const dentist = { kind: "text" as const, n: null, words: "dentist", when: null, freq: null };
const reschedule = (over: Parameters<typeof answer.interpretation>[0], offlineReading?: Interpretation) =>
  resolveExtraction(
    answer.interpretation({ intent: "reschedule", task: null, ref: dentist, ...over }),
    ctx,
    noGrammar,
    offlineReading,
  ).interpretation;

describe("a reschedule changes only what the user named", () => {
  it("moves to a new time of day and says nothing about the date, so the task keeps its own", () => {
    const r = reschedule({ edit: edit({ text: "to 4pm", times: ["16:00"] }) });
    expect(r).toEqual({
      intent: "reschedule",
      task: null,
      schedule: null,
      edit: { times: [{ hour: 16, minute: 0 }] },
      ref: { kind: "text", words: "dentist" },
      confidence: 0.9,
    });
  });
  it("names the weekday of a day given by its weekday, so a weekly task can move to it", () => {
    expect(reschedule({ edit: edit({ text: "to friday", day: "FR" }) }).edit).toEqual({
      date: { year: 2026, month: 3, day: 13, weekday: "FR" },
    });
    expect(reschedule({ edit: edit({ text: "to tomorrow at 9", day: "tomorrow", times: ["09:00"] }) }).edit).toEqual({
      times: [{ hour: 9, minute: 0 }],
      date: { year: 2026, month: 3, day: 7 },
    });
  });
  it("changes the weekdays, the day of the month, a shift or the title on their own", () => {
    expect(reschedule({ edit: edit({ text: "to mondays", weekdays: ["MO", "MO"] }) }).edit).toEqual({
      weekdays: ["MO"],
    });
    expect(reschedule({ edit: edit({ text: "to the 1st", month_day: 1 }) }).edit).toEqual({ monthDay: 1 });
    expect(reschedule({ edit: edit({ text: "an hour later", shift_minutes: 60 }) }).edit).toEqual({ shiftMinutes: 60 });
    expect(reschedule({ edit: edit({ text: "rename it to call dad", title: " call dad " }) }).edit).toEqual({
      title: "call dad",
    });
  });
  it("replaces the whole schedule only when the user restated a repeat, or moved it to 'in 2 hours'", () => {
    const restated = reschedule({
      edit: edit({ text: "to every day at 9" }),
      recurrence: answer.recurrence({ times: ["09:00"] }),
    });
    expect(restated.edit).toEqual({
      schedule: {
        kind: "recurring",
        rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0",
        tz: TZ,
        next: new Date("2026-03-07T09:00-05:00"),
      },
    });
    expect(reschedule({ edit: edit({ text: "to in 2 hours", in_minutes: 120 }) }).edit).toEqual({
      schedule: { kind: "once", at: new Date("2026-03-06T14:00:00-05:00") },
    });
  });
  it("reads a new time the model put in `when` as the same edit", () => {
    const r = reschedule({ when: answer.moment({ text: "to 4pm", time: "16:00" }) });
    expect(r.edit).toEqual({ times: [{ hour: 16, minute: 0 }] });
  });
  it("keeps the times of day in a zone the request names, and reports the zone", () => {
    const r = reschedule({
      edit: edit({ text: "to 9am Berlin time", times: ["09:00"] }),
      zone: { words: "Berlin time", iana: "Europe/Berlin" },
    });
    expect(r).toMatchObject({ zone: "Europe/Berlin", edit: { times: [{ hour: 9, minute: 0 }] } });
  });
});

describe("reschedules that cannot be applied as they are", () => {
  it("says that a new date does not exist instead of moving the task", () => {
    const r = reschedule({ edit: edit({ text: "to feb 30", day: "02-30" }) });
    expect(r.edit).toBeUndefined();
    expect(r.issues).toEqual([{ kind: "invalid_date", text: "to feb 30", reason: "February 2027 has 28 days" }]);
  });
  it("asks when the message names nothing to change", () => {
    expect(reschedule({ edit: edit({ text: "move it" }) }).question).toBe("When should I move it to?");
  });
  it("lowers confidence when the offline reading of the edit differs, and not when it agrees", () => {
    const offline = (e: Interpretation["edit"]): Interpretation => ({
      intent: "reschedule",
      task: null,
      schedule: null,
      edit: e,
      confidence: 0.6,
    });
    const fields = { edit: edit({ text: "to 4pm", times: ["16:00"] }) };
    expect(reschedule(fields, offline({ times: [{ hour: 4, minute: 0 }] })).confidence).toBe(DISAGREEMENT_CONFIDENCE);
    expect(reschedule(fields, offline({ times: [{ hour: 16, minute: 0 }] })).confidence).toBe(0.9);
  });
});
