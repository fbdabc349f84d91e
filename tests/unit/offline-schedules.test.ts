import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Interpretation, Schedule } from "../../src/ai/types.js";
import { toZonedIso, upcoming } from "../../src/time/index.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York. */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const interpret = (text: string): Interpretation => interpretOffline(text, { now: FRI, tz: NY });
const iso = (s: Schedule | null | undefined) => (s?.kind === "once" ? toZonedIso(s.at, NY) : s?.kind);
/** The next few local times a recurring schedule fires at. */
const firings = (s: Schedule | null, n: number) =>
  s?.kind === "recurring"
    ? upcoming({ rrule: s.rrule, tz: s.tz, start: s.next }, new Date(s.next.getTime() - 1), n).map((d) =>
        toZonedIso(d, NY).slice(5, 16),
      )
    : [];

describe("several times, windows and patterns", () => {
  it("keeps both times of 'at 9am and 9pm every day' in one rule", () => {
    const result = interpret("remind me at 9am and 9pm every day to take my pills");

    expect(result.schedule).toMatchObject({ kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0" });
    expect(result.task).toBe("take my pills");
  });

  it("fires 'every hour from 9 to 5' on the hour from 09:00 to 17:00, not around the clock", () => {
    const result = interpret("every hour from 9 to 5 remind me to stretch");

    expect(result.schedule).toMatchObject({ rrule: "FREQ=HOURLY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0" });
  });

  it("fires 'every 30 minutes between 2 and 4pm on weekdays' at 14:00 … 16:00 on weekdays only", () => {
    const result = interpret("every 30 minutes between 2 and 4pm on weekdays remind me to stand up");

    expect(firings(result.schedule, 6)).toEqual([
      "03-06T14:00",
      "03-06T14:30",
      "03-06T15:00",
      "03-06T15:30",
      "03-06T16:00",
      "03-09T14:00",
    ]);
  });

  it("fires 9:00 and 21:30 without the 9:30 and 21:00 a plain BYHOUR/BYMINUTE cross product would add", () => {
    const result = interpret("remind me every day at 9 am and 9:30 pm");

    expect(firings(result.schedule, 3)).toEqual(["03-06T21:30", "03-07T09:00", "03-07T21:30"]);
  });

  it("asks which times for 'twice a day' instead of falling back", () => {
    const result = interpret("remind me twice a day to drink water");

    expect(result).toMatchObject({ intent: "create", task: "drink water", schedule: null });
    expect(result.question).toMatch(/two times/);
  });

  it("takes the times 'three times a day' names", () => {
    const result = interpret("remind me three times a day at 7am 3pm and 11pm to take my medication");

    expect(result.schedule).toMatchObject({ rrule: "FREQ=DAILY;BYHOUR=7,15,23;BYMINUTE=0" });
  });

  it.each([
    [
      "remind me the first monday of every month to pay rent",
      "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0",
      "2026-04-06T09:00:00-04:00",
    ],
    [
      "remind me on the last friday of the month",
      "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9;BYMINUTE=0",
      "2026-03-27T09:00:00-04:00",
    ],
    [
      "remind me every weekday except friday at 8",
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH;BYHOUR=8;BYMINUTE=0",
      "2026-03-09T08:00:00-04:00",
    ],
    [
      "remind me every day except sunday at 7",
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA;BYHOUR=7;BYMINUTE=0",
      "2026-03-07T07:00:00-05:00",
    ],
    [
      "remind me every day at 9 for 4 weeks",
      "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;UNTIL=20260403T101500Z",
      "2026-03-07T09:00:00-05:00",
    ],
    [
      "remind me every monday at 8 3 times",
      "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0;COUNT=3",
      "2026-03-09T08:00:00-04:00",
    ],
  ])("%s → %s", (text, rrule, next) => {
    const s = interpret(text).schedule;

    expect(s).toMatchObject({ kind: "recurring", rrule });
    expect(s?.kind === "recurring" && toZonedIso(s.next, NY)).toBe(next);
  });

  it("reads a lead time before a stated event: '30 minutes before my 3pm meeting tomorrow' is 14:30 tomorrow", () => {
    expect(iso(interpret("remind me 30 minutes before my 3pm meeting tomorrow").schedule)).toBe(
      "2026-03-07T14:30:00-05:00",
    );
  });

  it("sets 'alarms for 6 and 6:30' as one schedule and one more in also", () => {
    const result = interpret("set alarms for 6 and 6:30");

    expect(result.intent).toBe("create");
    expect(iso(result.schedule)).toBe("2026-03-06T18:00:00-05:00");
    expect(result.also?.map(iso)).toEqual(["2026-03-06T18:30:00-05:00"]);
  });

  it("sets every listed day at every listed time", () => {
    const result = interpret("set alarms for saturday and sunday at noon");

    expect([iso(result.schedule), ...(result.also ?? []).map(iso)]).toEqual([
      "2026-03-07T12:00:00-05:00",
      "2026-03-08T12:00:00-04:00",
    ]);
  });
});

describe("small untruths", () => {
  it("starts 'every other tuesday' with the coming Tuesday", () => {
    const s = interpret("remind me every other tuesday to water the plants").schedule;

    expect(s?.kind === "recurring" && toZonedIso(s.next, NY)).toBe("2026-03-10T09:00:00-04:00");
    expect(firings(s, 3)).toEqual(["03-10T09:00", "03-24T09:00", "04-07T09:00"]);
  });

  it("reads 'in an hour and a half' as 90 minutes", () => {
    expect(iso(interpret("remind me in an hour and a half to check the oven").schedule)).toBe(
      "2026-03-06T11:45:00-05:00",
    );
  });

  it("keeps the day of 'monday the 20th': the next 20th that is a Monday", () => {
    expect(iso(interpret("remind me monday the 20th to renew my passport").schedule)).toBe("2026-04-20T09:00:00-04:00");
  });

  it("reports a weekday that disagrees with its date instead of picking one", () => {
    const result = interpret("remind me on friday june 25 to call the bank");

    expect(result.schedule).toBeNull();
    expect(result.issues).toMatchObject([{ kind: "conflict", options: ["Thursday June 25", "Friday June 26"] }]);
  });

  it("reads 'tell me when it is 5 pm' as a reminder at 17:00", () => {
    const result = interpret("tell me when it is 5 pm");

    expect(result).toMatchObject({ intent: "create", task: null });
    expect(iso(result.schedule)).toBe("2026-03-06T17:00:00-05:00");
  });
});

describe("impossible dates and times", () => {
  it("says February has 28 days for 'feb 30' instead of rolling the date over", () => {
    const result = interpret("remind me on feb 30 to pay rent");

    expect(result).toMatchObject({ intent: "create", schedule: null, task: "pay rent" });
    expect(result.issues).toEqual([{ kind: "invalid_date", text: "feb 30", reason: "February 2027 has 28 days" }]);
  });

  it("names the month's length for 'april 31st'", () => {
    expect(interpret("remind me april 31st").issues?.[0]).toMatchObject({
      kind: "invalid_date",
      reason: "April 2026 has 30 days",
    });
  });

  it.each([
    ["remind me at 25:00 to sleep", "25:00", "sleep"],
    ["25:00 to sleep", "25:00", "sleep"],
    ["remind me at 13pm to eat", "13pm", "eat"],
    ["remind me at 10:75 to leave", "10:75", "leave"],
  ])("reports %s as an invalid time and keeps it out of the task", (text, bad, task) => {
    const result = interpret(text);

    expect(result).toMatchObject({ intent: "create", task, schedule: null });
    expect(result.issues).toMatchObject([{ kind: "invalid_time", text: bad }]);
    expect(result.question).toBeTruthy();
  });
});

describe("words the grammar could not place", () => {
  it("reports leftover time words as unplaced and keeps them out of the task", () => {
    const result = interpret("remind me to call mom at the 5 or so");

    expect(result.task).toBe("call mom");
    expect(result.issues).toEqual([{ kind: "unplaced", text: "at the 5 or so" }]);
    expect(result.confidence).toBeLessThan(0.8);
  });

  it("leaves numbers that count things in the task", () => {
    const result = interpret("remind me to buy 5 apples tomorrow");

    expect(result.task).toBe("buy 5 apples");
    expect(result.issues).toBeUndefined();
  });
});

describe("fragments: a message that is only a time", () => {
  it.each(["at 5", "tomorrow morning", "every monday", "5pm pacific", "next friday at noon"])("%s", (text) => {
    const result = interpret(text);

    expect(result).toMatchObject({ intent: "create", task: null, fragment: true });
    expect(result.schedule).not.toBeNull();
  });

  it.each(["remind me at 5", "call mom at 5"])("%s is a request of its own", (text) => {
    expect(interpret(text).fragment).toBeUndefined();
  });
});

describe("times as people type and say them", () => {
  it.each([
    ["set the alarm for tomorrow at 2 a. m.", "2026-03-07T02:00:00-05:00"],
    ["set alarm 9.30 AM", "2026-03-07T09:30:00-05:00"],
    ["create an alarm for may 27th at 10 minutes to midnight", "2026-05-27T23:50:00-04:00"],
    ["set an alarm for 7 in the morning on the 12th of this month", "2026-03-12T07:00:00-04:00"],
    ["remind me to pay my phone bill on 8 / 1", "2026-08-01T09:00:00-04:00"],
    ["set up my alarm for 3 pm later today", "2026-03-06T15:00:00-05:00"],
    ["set alarm 20 minutes", "2026-03-06T10:35:00-05:00"],
    ["start a 10 second countdown", "2026-03-06T10:15:10-05:00"],
  ])("%s → %s", (text, expected) => {
    expect(iso(interpret(text).schedule)).toBe(expected);
  });

  it("takes the time said right after 'remind me' over an event's time said before it", () => {
    expect(iso(interpret("bo has a vet appointment at 2 pm on wednesday, set a reminder for 1 pm").schedule)).toBe(
      "2026-03-11T13:00:00-04:00",
    );
  });

  it("reads 'alert me 10 min before' as before the time already named", () => {
    expect(iso(interpret("the test is due tomorrow at 4 pm, alert me 10 min before").schedule)).toBe(
      "2026-03-07T15:50:00-05:00",
    );
  });

  it("gives each listed time its own day part", () => {
    const result = interpret("create two alarms for wednesday at 8 in the morning and 4 in the afternoon");

    expect([iso(result.schedule), ...(result.also ?? []).map(iso)]).toEqual([
      "2026-03-11T08:00:00-04:00",
      "2026-03-11T16:00:00-04:00",
    ]);
    expect(result.task).toBeNull();
  });

  it.each([
    ["set alarm for 11 am for the next three days", ["03-06T11:00", "03-07T11:00", "03-08T11:00"]],
    ["make an alarm for midday every friday for the next 3 fridays", ["03-06T12:00", "03-13T12:00", "03-20T12:00"]],
  ])("bounds '%s' to exactly those occurrences", (text, expected) => {
    const s = interpret(text).schedule;

    expect(firings(s, 4)).toEqual(expected);
  });

  it("repeats 'a weekend alarm' on weekends", () => {
    expect(interpret("set a weekend alarm for 10 am").schedule).toMatchObject({
      rrule: "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0",
    });
  });

  it("counts 'every 2 hours starting at 9' from 9", () => {
    const s = interpret("remind me every 2 hours starting at 9").schedule;

    expect(s?.kind === "recurring" && toZonedIso(s.next, NY)).toBe("2026-03-06T11:00:00-05:00");
  });
});

describe("the task of a create", () => {
  it.each([
    ["set an alarm at 5 pm to make food", "make food"],
    ["remind me 9am to book the train", "book the train"],
    ["create an alarm called 'wake up' at 6 am tomorrow", "wake up"],
    ["i need an alarm for friday to call margaret. name it Margaret's birthday", "Margaret's birthday"],
    ["set an alarm to go off on fridays at 10 am", null],
    ["make me an alarm that sounds only at 4 am on weekdays", null],
    ["i don't want to forget to feed the fish", "feed the fish"],
    ["set workout timer for 25 minutes", "workout"],
    ["i'm gonna need an alarm set up for 7 tomorrow", null],
    ["can i have an alarm for 6 tomorrow", null],
  ])("%s → %s", (text, task) => {
    expect(interpret(text).task).toBe(task);
  });

  it("keeps 'I am' and a name like 'opening weekend' in the task", () => {
    expect(interpret("remind me that i am due for a tetanus shot").issues).toBeUndefined();
    expect(interpret("set a reminder that this is opening weekend for races").issues).toBeUndefined();
  });
});
