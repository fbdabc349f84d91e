import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Interpretation } from "../../src/ai/types.js";
import { toZonedIso } from "../../src/time/index.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York. */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const interpret = (text: string): Interpretation => interpretOffline(text, { now: FRI, tz: NY });

describe("a reschedule names only what changes, and keeps no schedule of its own", () => {
  it.each([
    ["move the dentist one to 4pm", { kind: "text", words: "dentist" }, { times: [{ hour: 16, minute: 0 }] }],
    ["move the stand up one to 9am", { kind: "text", words: "stand up" }, { times: [{ hour: 9, minute: 0 }] }],
    ["reschedule rent to the 1st", { kind: "text", words: "rent" }, { monthDay: 1 }],
    ["move it to tomorrow", { kind: "last" }, { date: { year: 2026, month: 3, day: 7 } }],
    [
      "move order lunch to monday",
      { kind: "text", words: "order lunch" },
      { date: { year: 2026, month: 3, day: 9, weekday: "MO" } },
    ],
    ["move it to mondays", { kind: "last" }, { weekdays: ["MO"] }],
    ["change it to tuesdays and thursdays", { kind: "last" }, { weekdays: ["TU", "TH"] }],
    [
      "move it to weekdays at 8",
      { kind: "last" },
      // No am/pm: a guess the conversation may move to the task's half of the day.
      { weekdays: ["MO", "TU", "WE", "TH", "FR"], times: [{ hour: 8, minute: 0, loose: true }] },
    ],
    ["change my alarm from 7 am to 8 am", { kind: "time" }, { times: [{ hour: 8, minute: 0 }] }],
    [
      "change the reminder for friday to saturday at 9 am",
      { kind: "last" },
      { times: [{ hour: 9, minute: 0 }], date: { year: 2026, month: 3, day: 7, weekday: "SA" } },
    ],
    [
      "move the dentist to tomorrow night",
      { kind: "text", words: "dentist" },
      { times: [{ hour: 20, minute: 0 }], date: { year: 2026, month: 3, day: 7 } },
    ],
  ])("%s → ref %j, edit %j", (text, ref, edit) => {
    const result = interpret(text);

    expect(result).toMatchObject({ intent: "reschedule", schedule: null, ref });
    expect(result.edit).toEqual(edit);
  });

  it.each([
    ["an hour later", 60],
    ["push it back an hour", 60],
    ["30 minutes earlier", -30],
    ["make it 10 minutes later", 10],
    ["delay it by 15 minutes", 15],
    ["postpone it by a day", 1440],
    ["move it up half an hour", -30],
    ["add 5 minutes to my timer", 5],
    ["take 10 minutes off the timer", -10],
  ])("%s shifts the last task by %i minutes", (text, minutes) => {
    const result = interpret(text);

    expect(result).toMatchObject({ intent: "reschedule", schedule: null, edit: { shiftMinutes: minutes } });
  });

  it("shifts the task a shift names", () => {
    expect(interpret("push the dentist back an hour")).toMatchObject({
      ref: { kind: "text", words: "dentist" },
      edit: { shiftMinutes: 60 },
    });
  });

  it("restates the whole schedule when the new one repeats on its own terms", () => {
    const result = interpret("change it to every day at 9");

    expect(result.schedule).toBeNull();
    expect(result.edit?.schedule).toMatchObject({ kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", tz: NY });
  });

  it("picks the task by its repeat and changes only the time", () => {
    expect(interpret("move the daily one to 9")).toMatchObject({
      ref: { kind: "recurring", freq: "DAILY" },
      edit: { times: [{ hour: 9, minute: 0 }] },
    });
  });

  it("reads 'friday instead of wednesday' as the new day and the old one", () => {
    const result = interpret("remind me about the oil change friday instead of wednesday");

    expect(result).toMatchObject({
      intent: "reschedule",
      ref: { kind: "text", words: "oil change" },
      edit: { date: { year: 2026, month: 3, day: 13, weekday: "FR" } },
    });
  });

  it.each([
    ["rename it to call dad", { kind: "last" }, "call dad"],
    ["rename the dentist reminder to Dentist with Ana", { kind: "text", words: "dentist" }, "Dentist with Ana"],
    ["call it Pay rent", { kind: "last" }, "Pay rent"],
    ["change the title to water the plants", { kind: "last" }, "water the plants"],
  ])("%s renames %j to %s", (text, ref, title) => {
    expect(interpret(text)).toMatchObject({ intent: "reschedule", schedule: null, ref, edit: { title } });
  });

  it.each([
    "change my alarm",
    "modify my 8 pm alarm",
    "update that alarm",
    "i need to change my wakeup alarm to a different time",
  ])("asks what to change for %s", (text) => {
    const result = interpret(text);

    expect(result.intent).toBe("reschedule");
    expect(result.edit).toBeUndefined();
    expect(result.question).toBeTruthy();
    expect(result.confidence).toBeLessThan(0.8);
  });

  it("gives a new one-off for 'change my alarm to an hour from now'", () => {
    const s = interpret("change my alarm to an hour from now").edit?.schedule;

    expect(s?.kind === "once" && toZonedIso(s.at, NY)).toBe("2026-03-06T11:15:00-05:00");
  });
});

describe("which words pick the task and which are the change", () => {
  it("reads every time of 'modify my alarm tomorrow' as picking the alarm, and asks for the change", () => {
    const result = interpret("could i please modify my alarm tomorrow");

    expect(result.edit).toBeUndefined();
    expect(result.question).toBeTruthy();
  });

  it("tells the old day from the new in 'august 2nd to august 3rd'", () => {
    expect(interpret("move the reminders for august 2nd to august 3rd").edit).toEqual({
      date: { year: 2026, month: 8, day: 3 },
    });
  });

  it("keeps words like 'current' out of the task it picks", () => {
    expect(interpret("add 10 minutes to my current timer").ref).toEqual({ kind: "last" });
  });
});
