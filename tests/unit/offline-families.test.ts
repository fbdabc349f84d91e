import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Interpretation } from "../../src/ai/types.js";
import { toZonedIso } from "../../src/time/index.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York. */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const interpret = (text: string): Interpretation => interpretOffline(text, { now: FRI, tz: NY });

/**
 * The ways people phrase each intent, as seen in TOPv2 and the console session: the rules are
 * families of phrasings, so each family is tested with wording that is not in those sources.
 */
describe("intent families", () => {
  it.each([
    // Calendar entries with no trigger word.
    ["coffee with sam friday at 1", "create"],
    ["dinner with the Lees saturday at 7", "create"],
    ["block two hours thursday for taxes", "create"],
    ["dentist tuesday at 3", "create"],
    // Edits that name the task by a bare word; stopping a sounding alarm or timer.
    ["change running to 6:30", "reschedule"],
    ["end timer", "cancel"],
    ["shut down the alarm now", "cancel"],
    ["be quiet alarm, please", "cancel"],
    ["resuming timer please", "resume"],
    ["remind me to end the call at 3", "create"],
    // Wake-ups and alerts.
    ["get me up at 6", "create"],
    ["wake at 7 am", "create"],
    ["set an alert for 7", "create"],
    // Plurals and statives.
    ["set alarms for 6 and 6:30", "create"],
    ["make two alarms for tomorrow at 5 and 5:30", "create"],
    ["I want an alarm set for 7", "create"],
    ["i'll need a reminder friday at noon to pay the nanny", "create"],
    ["I don't want to forget to water the tomatoes", "create"],
    // Timers.
    ["start a 20 minute countdown", "create"],
    ["time my nap for 25 minutes", "create"],
    // Polite forms.
    ["will you send an invite for lunch friday at noon", "create"],
    ["could you set an alarm for 6 please", "create"],
    // Lists with a span or slang.
    ["show all reminders for next week", "list"],
    ["wanna see my alarms", "list"],
    ["get all reminders", "list"],
    ["let me see my reminders for tomorrow", "list"],
    ["how much time is left on the pasta timer", "list"],
    ["what's next", "list"],
    // Cancels with other verbs.
    ["scrub my 7am", "cancel"],
    ["clear my 7am", "cancel"],
    ["dont remind me to call mom", "cancel"],
    ["eliminate the gym alarm", "cancel"],
    ["I want that reminder deleted", "cancel"],
    ["turn my alarm off", "cancel"],
    // Edits and shifts.
    ["bump the standup to 10", "reschedule"],
    ["could i please change my alarm tomorrow", "reschedule"],
    ["add 10 more minutes to the timer", "reschedule"],
    ["knock 5 minutes off the timer", "reschedule"],
    ["delay the laundry reminder by 20 minutes", "reschedule"],
    ["make the gym reminder 7am instead", "reschedule"],
    ["actually make that 5:30", "reschedule"],
    ["stop reminding me about the gym", "cancel"],
    ["no more water reminders", "cancel"],
    ["anything on my calendar this afternoon", "list"],
    ["show me what's coming up this week", "list"],
    ["give me 10 more minutes", "snooze"],
    ["turn the water reminder back on", "resume"],
    ["i finished the laundry", "done"],
    // Running timers.
    ["stop the timer", "pause"],
    ["start the timer again", "resume"],
    ["snooze it for 10", "snooze"],
    ["hit snooze", "snooze"],
    // Not requests, or another assistant's job.
    ["I'm reading a good book", "other"],
    ["should i bring an umbrella tomorrow", "other"],
    ["how cold will it be on saturday", "other"],
    ["tell grandma dinner is at 8", "other"],
    ["text sam that i'm running late", "other"],
    ["find concerts near me this weekend", "other"],
    ["what's the date today", "other"],
  ])("%s → %s", (text, intent) => {
    expect(interpret(text).intent).toBe(intent);
  });

  it("keeps the task of a verbless calendar entry and its time", () => {
    const result = interpret("coffee with sam friday at 1");

    expect(result.task).toBe("coffee with sam");
    expect(result.schedule?.kind === "once" && toZonedIso(result.schedule.at, NY)).toBe("2026-03-13T13:00:00-04:00");
    expect(result.confidence).toBeLessThan(0.8);
  });

  it.each([
    ["can you make sure i call the plumber tomorrow morning", "call the plumber"],
    ["every second wednesday of the month at 7pm book club", "book club"],
    ["remind me to stretch every 45 minutes during work hours", "stretch"],
  ])("reads the task of %s as %s", (text, task) => {
    expect(interpret(text).task).toBe(task);
  });

  it("leaves wake-up wording out of the task", () => {
    expect(interpret("get me up at 6").task).toBeNull();
  });

  it("reads a cancel's task without the verb", () => {
    expect(interpret("dont remind me to call mom").ref).toEqual({ kind: "text", words: "call mom" });
  });
});

describe("which task a cancel means", () => {
  it.each([
    ["remove all of my oil change reminders", { kind: "text", words: "oil change" }],
    ["cancel all my reminders", { kind: "all" }],
    ["delete the reminder to take out the trash every sunday", { kind: "text", words: "take out trash" }],
    ["i'm sick so please delete the gym reminder", { kind: "text", words: "gym" }],
    ["I want the alarm terminated", { kind: "last" }],
  ])("%s → %j", (text, ref) => {
    const result = interpret(text);

    expect(result.intent).toBe("cancel");
    expect(result.ref).toEqual(ref);
  });
});
