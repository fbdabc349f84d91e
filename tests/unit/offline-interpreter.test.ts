import { describe, expect, it } from "vitest";
import { interpretOffline, parseDuration } from "../../src/ai/offline/index.js";
import type { Interpretation } from "../../src/ai/types.js";
import { toZonedIso } from "../../src/time/index.js";

const NY = "America/New_York";
const BERLIN = "Europe/Berlin";
const TOKYO = "Asia/Tokyo";
/** Friday 2026-03-06 10:15 in New York, two days before the US switch to daylight time. */
const FRI = new Date("2026-03-06T10:15:00-05:00");

const interpret = (text: string, now = FRI, tz = NY): Interpretation => interpretOffline(text, { now, tz });

/** The local ISO time of a one-off schedule, or a short tag for any other outcome. */
function when(i: Interpretation, tz = NY): string {
  const s = i.schedule;
  if (s === null) return "ask";
  if (s.kind === "once") return toZonedIso(s.at, tz);
  if (s.kind === "recurring") return `${s.rrule} next ${toZonedIso(s.next, tz)}`;
  return "unspecified";
}

describe("one-off times, resolved against Friday 2026-03-06 10:15 New York", () => {
  it.each([
    ["remind me in 20 minutes to call mom", "2026-03-06T10:35:00-05:00"],
    ["remind me in half an hour", "2026-03-06T10:45:00-05:00"],
    ["set an alarm for two hours from now", "2026-03-06T12:15:00-05:00"],
    ["set a timer for five minutes", "2026-03-06T10:20:00-05:00"],
    ["remind me tomorrow at 5 to call mom", "2026-03-07T17:00:00-05:00"],
    ["remind me at 5pm", "2026-03-06T17:00:00-05:00"],
    // One day of a month named by its edge, not a monthly repeat ("every month" repeats).
    ["remind me by the end of the month to pay taxes", "2026-03-31T09:00:00-04:00"],
    ["remind me on the first day of next month to renew the lease", "2026-04-01T09:00:00-04:00"],
    ["remind me at nine am", "2026-03-07T09:00:00-05:00"],
    ["set an alarm for five thirty pm", "2026-03-06T17:30:00-05:00"],
    ["remind me at seven hundred and forty five pm", "2026-03-06T19:45:00-05:00"],
    ["remind me at one thousand three hundred", "2026-03-06T13:00:00-05:00"],
    ["set the alarm for five hundred and thirty am", "2026-03-07T05:30:00-05:00"],
    ["remind me at quarter past six pm", "2026-03-06T18:15:00-05:00"],
    ["remind me at noon", "2026-03-06T12:00:00-05:00"],
    ["remind me at midnight to lock up", "2026-03-07T00:00:00-05:00"],
    ["remind me tonight to take the bins out", "2026-03-06T20:00:00-05:00"],
    ["remind me this afternoon", "2026-03-06T15:00:00-05:00"],
    ["remind me tomorrow morning", "2026-03-07T09:00:00-05:00"],
    ["remind me tomorrow evening by seven", "2026-03-07T19:00:00-05:00"],
    ["set an alarm for six in the morning", "2026-03-07T06:00:00-05:00"],
    ["remind me at five in the evening", "2026-03-06T17:00:00-05:00"],
    ["remind me on the 3rd at noon to pay rent", "2026-04-03T12:00:00-04:00"],
    ["remind me on the thirteenth", "2026-03-13T09:00:00-04:00"],
    ["remind me on april two", "2026-04-02T09:00:00-04:00"],
    ["remind me on the twenty second of january", "2027-01-22T09:00:00-05:00"],
    ["set alarm on twenty fifth may at five pm", "2026-05-25T17:00:00-04:00"],
    ["remind me on 3/20 at 3 pm", "2026-03-20T15:00:00-04:00"],
    ["remind me on tuesday", "2026-03-10T09:00:00-04:00"],
    ["remind me on saturday", "2026-03-07T09:00:00-05:00"],
    ["remind me on sunday at four pm", "2026-03-08T16:00:00-04:00"],
    ["remind me on friday at two pm", "2026-03-13T14:00:00-04:00"],
    ["remind me this friday at four pm", "2026-03-06T16:00:00-05:00"],
    ["remind me next monday", "2026-03-09T09:00:00-04:00"],
    ["remind me next friday morning", "2026-03-13T09:00:00-04:00"],
    ["remind me next sunday", "2026-03-15T09:00:00-04:00"],
    ["remind me wednesday night", "2026-03-11T20:00:00-04:00"],
    ["remind me a week from today at five", "2026-03-13T17:00:00-04:00"],
    ["remind me in two days", "2026-03-08T10:15:00-04:00"],
    ["wake me up at six thirty", "2026-03-07T06:30:00-05:00"],
    ["wake me up at ten", "2026-03-07T10:00:00-05:00"],
    ["remind me about dinner at eight", "2026-03-06T20:00:00-05:00"],
    ["todays faculty meeting at four remind me", "2026-03-06T16:00:00-05:00"],
    ["remind me at three", "2026-03-06T15:00:00-05:00"],
    ["remind me at twelve thirty", "2026-03-06T12:30:00-05:00"],
    ["remind me from four to six", "2026-03-06T16:00:00-05:00"],
    ["remind me of my twelve o'clock meeting by eleven thirty", "2026-03-06T11:30:00-05:00"],
    ["i get up at eight am tomorrow set an alarm thirty minutes before that", "2026-03-07T07:30:00-05:00"],
    ["notify me an hour before my two pm appointment", "2026-03-06T13:00:00-05:00"],
    ["remind me three weeks before thanksgiving", "2026-11-05T09:00:00-05:00"],
    ["remind me about tomorrow's meeting tonight", "2026-03-06T20:00:00-05:00"],
  ])("%s → %s", (text, expected) => {
    const result = interpret(text);

    expect(result.intent).toBe("create");
    expect(when(result)).toBe(expected);
  });
});

describe("the same phrases in other zones and at other reference times", () => {
  it.each([
    [
      "tomorrow at 2:30 am across the New York spring-forward gap",
      "remind me tomorrow at 2:30 am",
      "2026-03-07T10:00:00-05:00",
      NY,
      "2026-03-08T03:30:00-04:00",
    ],
    [
      "tomorrow at 1:30 am on the New York fall-back night takes the first reading",
      "remind me tomorrow at 1:30 am",
      "2026-10-31T10:00:00-04:00",
      NY,
      "2026-11-01T01:30:00-04:00",
    ],
    [
      "tomorrow at 2:30 am across the Berlin spring-forward gap",
      "remind me tomorrow at 2:30 am",
      "2026-03-28T10:00:00+01:00",
      BERLIN,
      "2026-03-29T03:30:00+02:00",
    ],
    [
      "in 2 days keeps the wall time across the Berlin change",
      "remind me in 2 days",
      "2026-03-28T10:00:00+01:00",
      BERLIN,
      "2026-03-30T10:00:00+02:00",
    ],
    [
      "tomorrow from Feb 28 in a leap year is Feb 29",
      "remind me tomorrow at 9am",
      "2028-02-28T10:00:00-05:00",
      NY,
      "2028-02-29T09:00:00-05:00",
    ],
    [
      "feb 29 said in a common year is the next leap day",
      "remind me on feb 29 at noon",
      "2027-03-01T10:00:00-05:00",
      NY,
      "2028-02-29T12:00:00-05:00",
    ],
    [
      "the 31st skips months that lack it",
      "remind me on the 31st",
      "2026-04-05T10:00:00-04:00",
      NY,
      "2026-05-31T09:00:00-04:00",
    ],
    [
      "in a month from Jan 31 clamps to the month end",
      "remind me in a month",
      "2026-01-31T10:00:00-05:00",
      NY,
      "2026-02-28T10:00:00-05:00",
    ],
    [
      "tomorrow from Dec 31 is next year",
      "remind me tomorrow at noon",
      "2026-12-31T10:00:00-05:00",
      NY,
      "2027-01-01T12:00:00-05:00",
    ],
    [
      "a time past today means tomorrow in Tokyo",
      "remind me at 8am",
      "2026-03-06T10:15:00+09:00",
      TOKYO,
      "2026-03-07T08:00:00+09:00",
    ],
    [
      "a weekday from a Sunday in Berlin",
      "remind me on monday at 10am",
      "2026-03-29T12:00:00+02:00",
      BERLIN,
      "2026-03-30T10:00:00+02:00",
    ],
  ])("%s", (_name, text, now, tz, expected) => {
    const result = interpret(text, new Date(now), tz);

    expect(when(result, tz)).toBe(expected);
  });
});

describe("when the time cannot be pinned down", () => {
  it("leaves the schedule unspecified when a create names no time, so the conversation can ask", () => {
    const result = interpret("remind me to call mom");

    expect(result).toMatchObject({ intent: "create", task: "call mom", schedule: { kind: "unspecified" } });
  });

  it.each(["remind me next week", "set a reminder for this weekend", "remind me next month to renew"])(
    "asks a question with lower confidence for the vague span in %s",
    (text) => {
      const result = interpret(text);

      expect(result.intent).toBe("create");
      expect(result.schedule).toBeNull();
      expect(result.question).toBeTruthy();
      expect(result.confidence).toBeLessThan(0.8);
    },
  );

  it.each([
    "remind me today at ten am",
    "remind me when i get home",
    "remind me five minutes before the meeting",
    "remind me about it today",
  ])("asks instead of guessing for %s", (text) => {
    const result = interpret(text);

    expect(result.schedule).toBeNull();
    expect(result.question).toBeTruthy();
  });
});

describe("recurrence", () => {
  it.each([
    ["every day at 9", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", "2026-03-07T09:00:00-05:00"],
    ["every weekday at 8am", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0", "2026-03-09T08:00:00-04:00"],
    ["every monday and thursday at 9", "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0", "2026-03-09T09:00:00-04:00"],
    [
      "every tuesday thursday and saturday at 7 pm",
      "FREQ=WEEKLY;BYDAY=TU,TH,SA;BYHOUR=19;BYMINUTE=0",
      "2026-03-07T19:00:00-05:00",
    ],
    ["on weekends at nine am", "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=9;BYMINUTE=0", "2026-03-07T09:00:00-05:00"],
    ["on wednesdays at two pm", "FREQ=WEEKLY;BYDAY=WE;BYHOUR=14;BYMINUTE=0", "2026-03-11T14:00:00-04:00"],
    ["every saturday evening", "FREQ=WEEKLY;BYDAY=SA;BYHOUR=18;BYMINUTE=0", "2026-03-07T18:00:00-05:00"],
    ["every morning at five", "FREQ=DAILY;BYHOUR=5;BYMINUTE=0", "2026-03-07T05:00:00-05:00"],
    ["every other week", "FREQ=WEEKLY;INTERVAL=2;BYHOUR=9;BYMINUTE=0", "2026-03-20T09:00:00-04:00"],
    ["on the 15th of every month", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=9;BYMINUTE=0", "2026-03-15T09:00:00-04:00"],
    ["the last friday of each month", "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9;BYMINUTE=0", "2026-03-27T09:00:00-04:00"],
    ["at the start of each month", "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0", "2026-04-01T09:00:00-04:00"],
    ["every june third", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0", "2026-06-03T09:00:00-04:00"],
    ["every 2 hours", "FREQ=HOURLY;INTERVAL=2", "2026-03-06T12:15:00-05:00"],
    [
      "every day at 9 until dec 1",
      "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;UNTIL=20261201T235959Z",
      "2026-03-07T09:00:00-05:00",
    ],
    [
      "every monday for 3 weeks",
      "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;UNTIL=20260327T101500Z",
      "2026-03-09T09:00:00-04:00",
    ],
    ["every day at noon 5 times", "FREQ=DAILY;BYHOUR=12;BYMINUTE=0;COUNT=5", "2026-03-06T12:00:00-05:00"],
  ])("remind me %s → %s", (phrase, rrule, next) => {
    const result = interpret(`remind me ${phrase}`);

    expect(result.intent).toBe("create");
    expect(result.schedule).toMatchObject({ kind: "recurring", rrule, tz: NY });
    expect(when(result)).toBe(`${rrule} next ${next}`);
  });

  it("keeps 'every day at 9' at 09:00 local when created just before the New York spring-forward", () => {
    const result = interpret("every day at 9 stretch", new Date("2026-03-07T10:00:00-05:00"));

    expect(when(result)).toBe("FREQ=DAILY;BYHOUR=9;BYMINUTE=0 next 2026-03-08T09:00:00-04:00");
  });

  it("keeps 'every day at 9' at 09:00 local when created just before the Berlin spring-forward", () => {
    const result = interpret("every day at 9 stretch", new Date("2026-03-28T10:00:00+01:00"), BERLIN);

    expect(when(result, BERLIN)).toBe("FREQ=DAILY;BYHOUR=9;BYMINUTE=0 next 2026-03-29T09:00:00+02:00");
  });

  it("takes the weekday of a one-off date when told to repeat it", () => {
    const result = interpret("create an event gym day on monday and set it to repeat");

    expect(result.schedule).toMatchObject({ kind: "recurring", rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0" });
  });

  it("asks how often when 'repeating' comes with no rule", () => {
    const result = interpret("put a repeating event on the calendar");

    expect(result.schedule).toBeNull();
    expect(result.question).toMatch(/how often/i);
  });
});

describe("task, channel and audience of a create", () => {
  it.each([
    ["remind me at 5 to call mom", "call mom"],
    ["remind me to take out the trash", "take out the trash"],
    ["set an alarm for five o'clock this evening labelled taxi", "taxi"],
    ["set an alarm for seven am", null],
    // The message to send, not how it is sent; what to do around an event, not the event.
    ["send me an sms at 6pm saying dinner is ready", "dinner is ready"],
    ["text me at 5 that says leave now", "leave now"],
    ["remind me to check the deploy in 2 hours and tell me in slack", "check the deploy"],
    ["remind me 15 minutes before my 2pm call tomorrow to prep notes", "prep notes"],
    ["remind me 30 minutes before my 3pm meeting tomorrow", "my meeting"],
    ["remind me to check slack at 3", "check slack"],
    ["every sunday evening remind me to plan the week", "plan the week"],
  ])("%s → task %s", (text, task) => {
    expect(interpret(text).task).toBe(task);
  });

  it("reads 'text me' as the sms channel and keeps the rest as the task", () => {
    const result = interpret("text me the weather every morning at 7");

    expect(result).toMatchObject({ intent: "create", task: "the weather", channel: "sms" });
    expect(result.schedule).toMatchObject({ kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0" });
  });

  it("reads 'email me' as the email channel", () => {
    expect(interpret("email me the sales report every friday at 5pm")).toMatchObject({
      intent: "create",
      channel: "email",
      task: "the sales report",
    });
  });

  it("reads a #channel as the audience", () => {
    const result = interpret("post the standup summary in #ops every weekday at 10am");

    expect(result).toMatchObject({ intent: "create", audience: "#ops", task: "the standup summary" });
  });
});

describe("intents other than create", () => {
  it.each([
    ["what are my reminders", "list"],
    ["do i have anything scheduled for march seventh", "list"],
    ["when is my next meeting", "list"],
    ["what does my morning look like tomorrow", "list"],
    ["cancel my 3pm reminder", "cancel"],
    ["delete all events for the next five days", "cancel"],
    ["turn off the six am alarm for wednesday", "cancel"],
    ["move it to 4", "reschedule"],
    ["snooze 10 min", "snooze"],
    ["pause my reminders", "pause"],
    ["resume reminders", "resume"],
    ["my time zone is Europe/Berlin", "timezone"],
    ["help", "help"],
    ["what's the weather like on friday", "other"],
    ["play michael buble", "other"],
    ["turn off the lights", "other"],
    ["resume my audiobook from the last chapter", "other"],
    ["when is bruno mars coming to sacramento", "other"],
    ["today's local events", "other"],
    ["what's today's date", "other"],
  ])("%s → %s", (text, intent) => {
    expect(interpret(text).intent).toBe(intent);
  });

  it("gives a list the window it asks about", () => {
    const result = interpret("what's on for tomorrow");

    expect(result.intent).toBe("list");
    expect(result.range && [toZonedIso(result.range.from, NY), toZonedIso(result.range.to, NY)]).toEqual([
      "2026-03-07T00:00:00-05:00",
      "2026-03-08T00:00:00-05:00",
    ]);
  });

  it.each([
    ["cancel my 3pm reminder", { kind: "time" }],
    ["cancel 2", { kind: "index", n: 2 }],
    ["stop the daily one", { kind: "recurring", freq: "DAILY" }],
    ["cancel all", { kind: "all" }],
    ["cancel the dentist reminder", { kind: "text", words: "dentist" }],
  ])("%s refers to %j", (text, ref) => {
    const result = interpret(text);

    expect(result.intent).toBe("cancel");
    expect(result.ref).toMatchObject(ref);
  });

  it("resolves the time of 'my 3pm reminder' to today's 15:00", () => {
    const ref = interpret("cancel my 3pm reminder").ref;

    expect(ref?.kind === "time" && toZonedIso(ref.at, NY)).toBe("2026-03-06T15:00:00-05:00");
  });

  it("reschedules the last reminder to a new time of day when told to 'move it to 4'", () => {
    const result = interpret("move it to 4");

    expect(result).toMatchObject({
      intent: "reschedule",
      ref: { kind: "last" },
      schedule: null,
      edit: { times: [{ hour: 16, minute: 0 }] },
    });
  });

  it("reads the time before 'to' as the task and the one after as the new time", () => {
    const result = interpret("move my 3pm reminder to 5pm");

    expect(result.ref?.kind).toBe("time");
    expect(result.edit).toEqual({ times: [{ hour: 17, minute: 0 }] });
  });

  it.each([
    ["snooze 10 min", 10],
    ["snooze for half an hour", 30],
    ["snooze", 10],
  ])("%s snoozes for %i minutes", (text, minutes) => {
    expect(interpret(text)).toMatchObject({ intent: "snooze", snoozeMinutes: minutes, ref: { kind: "last" } });
  });

  it.each([
    ["my time zone is Europe/Berlin", "Europe/Berlin"],
    ["set my timezone to pacific time", "America/Los_Angeles"],
    ["change my time zone to CET", "Europe/Berlin"],
    ["i'm in berlin now", "Europe/Berlin"],
    ["i moved to tokyo", "Asia/Tokyo"],
  ])("%s names %s", (text, zone) => {
    expect(interpret(text)).toMatchObject({ intent: "timezone", timezone: zone });
  });
});

describe("confidence", () => {
  it("is high when the grammar accounts for the whole request", () => {
    expect(interpret("remind me tomorrow at 5 pm to call mom").confidence).toBeGreaterThanOrEqual(0.8);
  });

  it("is lower when a create leaves time words unexplained", () => {
    expect(interpret("remind me to call mom at the 5 or so").confidence).toBeLessThan(0.8);
  });

  it("is low for messages the grammar cannot place", () => {
    expect(interpret("meeting soon-ish maybe").confidence).toBeLessThan(0.8);
  });
});

describe("purity", () => {
  it("gives the same answer for the same message and context", () => {
    expect(interpret("remind me tomorrow at 5 to call mom")).toEqual(interpret("remind me tomorrow at 5 to call mom"));
  });
});

describe("parseDuration", () => {
  it.each([
    ["10", 10],
    ["10 min", 10],
    ["in 2 hours", 120],
    ["half an hour", 30],
    ["an hour and a half", 90],
    ["ten minutes", 10],
    ["1 hour 15 minutes", 75],
    ["a day", 1440],
  ])("%s → %i minutes", (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each(["later", "tomorrow", "a month"])("%s → null", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe("the words the user typed", () => {
  it("keeps the task as the user cased it", () => {
    expect(interpret("Remind me to call Mom at 5pm").task).toBe("call Mom");
    expect(interpret("remind me tomorrow to email Dr. Smith").task).toBe("email Dr. Smith");
  });

  it("reads a bare 'list', as the replies suggest, as a list", () => {
    expect(interpret("list").intent).toBe("list");
    expect(interpret("List").intent).toBe("list");
  });
});
