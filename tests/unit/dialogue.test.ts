import { describe, expect, it } from "vitest";
import { MemoryHerald } from "../helpers/dialogue.js";

/**
 * The conversation as a spec: message in, reply out, stored state, with the offline grammar, the pure
 * dialogue and the task rules (no database). Wednesday 2026-12-02, 10:00 in New York.
 */
const WEDNESDAY = new Date("2026-12-02T15:00:00Z");
const NY = "America/New_York";
const herald = (o: Partial<ConstructorParameters<typeof MemoryHerald>[0]> = {}) =>
  new MemoryHerald({ tz: NY, now: WEDNESDAY, ...o });

describe("edits change only what they name", () => {
  it("moves a dated reminder to a new time on its own day", () => {
    const h = herald();
    h.say("remind me next friday at 2pm about the dentist appointment");
    const reply = h.say("move the dentist one to 4pm");
    expect(reply).toContain("is now on Fri, Dec 11 at 4:00 PM");
    expect(reply).toContain("It was on Fri, Dec 11 at 2:00 PM");
    expect(h.byTitle("the dentist appointment").nextRunAt!.toISOString()).toBe("2026-12-11T21:00:00.000Z");
  });

  it("keeps a weekday repeat a weekday repeat when its time moves", () => {
    const h = herald();
    h.say("every weekday at 8am remind me to stand up");
    expect(h.say("move the stand up one to 9am")).toContain('"stand up" is now every weekday at 9:00 AM');
    expect(h.byTitle("stand up").rrule).toBe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0");
  });

  it("keeps a monthly repeat monthly when its day moves", () => {
    const h = herald();
    h.say("remind me on the 3rd of every month to pay rent");
    expect(h.say("reschedule rent to the 1st")).toContain("is now on the 1st of every month at 9:00 AM");
    expect(h.byTitle("pay rent").rrule).toBe("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0");
  });

  it("takes relative edits: later, to another day, to a weekday set", () => {
    const h = herald();
    h.say("remind me at noon to order lunch");
    expect(h.say("move order lunch to monday")).toContain("is now on Mon, Dec 7 at 12:00 PM");
    expect(h.say("push it back an hour")).toContain("is now on Mon, Dec 7 at 1:00 PM");
    expect(h.say("move it to mondays")).toContain("is now every Monday at 1:00 PM");
  });

  it("names a reminder by a bare word and keeps a time said without am/pm in the task's half of the day", () => {
    const h = herald();
    h.say("every monday wednesday and friday at 6am remind me to go running");
    expect(h.say("change running to 6:30")).toContain(
      '"go running" is now every Monday, Wednesday and Friday at 6:30 AM',
    );
    h.say("remind me tomorrow at 11am to call the bank");
    expect(h.say("move the bank one to 1")).toContain("is now tomorrow (Thu, Dec 3) at 1:00 PM");
    expect(h.tasks).toHaveLength(2);
  });

  it("undoes an edit back to the schedule it had", () => {
    const h = herald();
    h.say("every weekday at 8am remind me to stand up");
    h.say("move the stand up one to 9am");
    expect(h.say("undo")).toContain('"stand up" is back to every weekday at 8:00 AM');
    expect(h.byTitle("stand up").rrule).toContain("BYHOUR=8");
  });
});

describe("a pending question", () => {
  it.each(["actually never mind", "scratch that", "oh forget it"])(
    "'%s' drops the question, not a reminder",
    (text) => {
      const h = herald();
      h.say("remind me at 6pm to join the zoom");
      h.say("remind me to buy milk");
      expect(h.say(text)).toBe("OK, I won't remind you to buy milk.");
      expect(h.tasks.map((t) => [t.title, t.status])).toEqual([["join the zoom", "scheduled"]]);
    },
  );

  it("is completed by an answer, and only by an answer", () => {
    const h = herald();
    expect(h.say("remind me to call mom")).toMatch(/^When should I remind you to call mom\?/);
    const other = h.say("every hour from 9 to 5 remind me to stretch");
    expect(other).toContain("I'll remind you to stretch every hour from 9:00 AM to 5:00 PM");
    expect(other).toContain("(I still need a time to remind you to call mom.)");
    expect(h.byTitle("stretch").rrule).toBe("FREQ=HOURLY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0");
    expect(h.say("tomorrow at 5")).toBe(
      `✓ I'll remind you to call mom tomorrow (Thu, Dec 3) at 5:00 PM. Reply "undo" to cancel.`,
    );
  });

  it("does not swallow a change to another reminder", () => {
    const h = herald();
    h.say("remind me friday at 10am to call the bank");
    h.say("remind me to call mom");
    for (const t of ["what are my reminders", "what's next?", "help", "list"]) h.say(t);
    expect(h.say("change the bank one to 11am")).toContain('"call the bank" is now on Fri, Dec 4 at 11:00 AM');
    expect(h.tasks.map((t) => t.title)).toEqual(["call the bank"]);
  });

  it("expires, and a late bare time asks what it is for", () => {
    const h = herald();
    h.say("remind me to call mom");
    h.advance(45 * 60_000);
    const reply = h.say("at 5pm");
    expect(reply).toMatch(/^What should I remind you about today at 5:00 PM \(in 6 hours 15 minutes\)\?/);
    expect(reply).toContain("that was a while ago");
    expect(h.say("water the plants")).toContain("I'll remind you to water the plants today at 5:00 PM");
  });

  it("is dropped by no", () => {
    const h = herald();
    h.say("remind me to call mom");
    expect(h.say("never mind")).toBe("OK, I won't remind you to call mom.");
    expect(h.say("at 5")).toMatch(/^What should I remind you about/);
  });
});

describe("time zones", () => {
  it("applies a zone named in the request to that request, and says both times", () => {
    const h = herald();
    expect(h.say("remind me at 5pm pacific to call the west coast team")).toContain(
      "today at 5:00 PM PST (8:00 PM your time",
    );
    const t = h.byTitle("call the west coast team");
    expect(t.timezone).toBe("America/Los_Angeles");
    expect(t.nextRunAt!.toISOString()).toBe("2026-12-03T01:00:00.000Z");
    // Past midnight where the user is: their day is named.
    expect(h.say("remind me at 10pm pacific to call sydney")).toContain(
      "today at 10:00 PM PST (1:00 AM tomorrow your time",
    );
  });

  it.each([
    ["remind me at 17:00 UTC to deploy", "2026-12-02T17:00:00.000Z"],
    ["remind me at 9am Berlin time tomorrow to ring Hans", "2026-12-03T08:00:00.000Z"],
    ["remind me at 5pm EST to leave", "2026-12-02T22:00:00.000Z"],
  ])("%s", (text, at) => {
    const h = herald();
    h.say(text);
    expect(h.tasks[0]!.nextRunAt!.toISOString()).toBe(at);
    expect(h.tasks[0]!.title).not.toMatch(/utc|berlin|est\b/i);
  });

  it("keeps repeats at their wall-clock time and one-offs at their moment when the user moves", () => {
    const h = herald();
    h.say("every day at 9am remind me to take my pills");
    h.say("remind me at 5pm to call mom");
    const reply = h.say("my time zone is Europe/Berlin");
    expect(reply).toContain("Your repeating reminder keeps its time of day in the new zone");
    expect(reply).toContain('"call mom" now shows as today at 11:00 PM');
    expect(h.byTitle("take my pills")).toMatchObject({
      timezone: "Europe/Berlin",
      rrule: expect.stringContaining("BYHOUR=9"),
    });
    expect(h.byTitle("call mom").nextRunAt!.toISOString()).toBe("2026-12-02T22:00:00.000Z");
    expect(h.say("undo")).toContain("your time zone is America/New_York again");
    expect(h.byTitle("take my pills").timezone).toBe(NY);
  });

  it("says which zone times are in until the user has said theirs", () => {
    const h = herald({ zoneConfirmed: false });
    expect(h.say("remind me at 5pm to call mom")).toContain(`times are in ${NY}`);
  });
});

describe("bulk commands", () => {
  it("pause all says what happened to each, and leaves a held reminder held", () => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    h.say("every day at 9am remind me to stretch");
    h.say("every 20 minutes remind me to drink water");
    expect(h.byTitle("drink water").status).toBe("pending_approval");
    const paused = h.say("pause all my reminders");
    expect(paused).toMatch(/^✓ Paused 2 reminders: "call mom" and "stretch"\./);
    expect(paused).toContain(`"drink water" is waiting for an admin's approval and stays as it is`);
    const resumed = h.say("resume all");
    expect(resumed).toMatch(/^✓ Resumed 2 reminders/);
    expect(h.byTitle("drink water").status).toBe("pending_approval");
    expect(h.byTitle("call mom").status).toBe("scheduled");
  });

  it("cancel all asks first, and undo brings them all back", () => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    h.say("remind me at 6pm to feed the cat");
    expect(h.say("cancel all")).toBe(
      `That would cancel all 2 reminders: "call mom" and "feed the cat". Reply "yes" to cancel them, or "no" to keep them.`,
    );
    expect(h.tasks.every((t) => t.status === "scheduled")).toBe(true);
    expect(h.say("yes")).toMatch(/^✓ Cancelled 2 reminders/);
    expect(h.tasks.every((t) => t.status === "cancelled")).toBe(true);
    expect(h.say("undo")).toBe("✓ Undone: 2 reminders are back as they were.");
    expect(h.tasks.every((t) => t.status === "scheduled")).toBe(true);
  });

  it("cancel all, then no, cancels nothing", () => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    h.say("cancel all");
    expect(h.say("no")).toBe("OK, I left your reminders as they are.");
    expect(h.byTitle("call mom").status).toBe("scheduled");
  });
});

describe("undo reverses the last change of any kind", () => {
  it.each([
    ["cancel it", "scheduled"],
    ["pause it", "scheduled"],
  ])("after %s", (command, status) => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    h.say(command);
    expect(h.say("undo")).toContain('"call mom" is back to today at 5:00 PM');
    expect(h.byTitle("call mom").status).toBe(status);
  });

  it("after a create, and then there is nothing left to undo", () => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    expect(h.say("undo")).toBe("✓ Undone: I won't remind you to call mom.");
    expect(h.say("undo")).toBe("There's nothing to undo.");
  });
});

describe("several times, windows and patterns", () => {
  it.each([
    ["remind me to take my pills at 9am and 9pm every day", "every day at 9:00 AM and 9:00 PM"],
    [
      "every 30 minutes between 2 and 4pm on weekdays remind me to drink water",
      "every 30 minutes from 2:00 PM to 4:00 PM on weekdays",
    ],
    ["the first monday of every month remind me to pay rent", "on the first Monday of every month at 9:00 AM"],
    [
      "every weekday except friday at 9 remind me to stand up",
      "every Monday, Tuesday, Wednesday and Thursday at 9:00 AM",
    ],
    ["every other tuesday at 9 remind me to call grandma", "every other Tuesday at 9:00 AM (next: on Tue, Dec 8"],
    ["remind me every day at 9 for 4 weeks to floss", "every day at 9:00 AM until December 30, 2026"],
  ])("%s", (text, words) => {
    expect(herald().say(text)).toContain(words);
  });

  it("sets one alarm per time for several one-off wake-ups", () => {
    const h = herald();
    expect(h.say("wake me up at 6 and 6:30 tomorrow")).toContain(
      "✓ I'll wake you up tomorrow (Thu, Dec 3) at 6:00 AM.",
    );
    expect(h.tasks.map((t) => t.nextRunAt!.toISOString())).toEqual([
      "2026-12-03T11:00:00.000Z",
      "2026-12-03T11:30:00.000Z",
    ]);
  });

  it("sets an alarm that names no task", () => {
    expect(herald().say("set an alarm for 7")).toContain("✓ Alarm set for tomorrow (Thu, Dec 3) at 7:00 AM");
  });

  it("asks for the times of 'twice a day'", () => {
    expect(herald().say("twice a day remind me to stretch")).toMatch(/which two times/i);
  });

  it("counts back from a lead time", () => {
    const h = herald();
    h.say("remind me 30 minutes before my 3pm meeting tomorrow");
    expect(h.tasks[0]!.nextRunAt!.toISOString()).toBe("2026-12-03T19:30:00.000Z");
  });
});

describe("everyday replies", () => {
  it("'resume it' resumes what is paused, and says so when nothing is", () => {
    const h = herald();
    h.say("remind me at 6pm to water the plants");
    expect(h.say("resume it")).toBe("Nothing to resume: none of your reminders is paused.");
    h.say("pause the plants one");
    h.say("remind me tomorrow at 9am to call the bank");
    expect(h.say("resume it")).toContain('Resumed "water the plants"');
    expect(h.byTitle("water the plants").status).toBe("scheduled");
  });

  it("'what's next' is the next that will fire, not one waiting for approval", () => {
    const h = herald();
    h.say("remind me to stretch every 30 minutes");
    h.say("remind me tomorrow at 9am to call the bank");
    expect(h.say("what's next")).toContain('Next: "call the bank"');
  });

  it("answers 'how many' with the number", () => {
    const h = herald();
    h.say("remind me at 6pm to water the plants");
    h.say("remind me tomorrow at 9am to call the bank");
    expect(h.say("how many reminders do i have")).toMatch(/^You have 2 reminders:\n1\. water the plants/);
  });

  it("says goodbye", () => {
    expect(herald().say("bye")).toBe("Bye! Text me any time.");
  });

  function fired() {
    const h = herald();
    h.say("remind me in 5 minutes to take the pills");
    h.say("every thursday at 7pm remind me to take out the recycling");
    h.advance(6 * 60_000);
    h.fire(h.byTitle("take the pills"));
    return h;
  }

  it.each(["done", "mark it done", "I did it"])("'%s' after a reminder acknowledges it", (text) => {
    expect(fired().say(text)).toBe('✓ "take the pills" done.');
  });

  it("skips the next of a repeat, named loosely", () => {
    const h = fired();
    expect(h.say("skip the next recycling one")).toContain("The one after is on Thu, Dec 10 at 7:00 PM");
  });

  it("snoozes the reminder that just fired", () => {
    expect(fired().say("snooze 10")).toBe('✓ Snoozed "take the pills" until today at 10:16 AM (in 10 minutes).');
  });

  it("answers what's next", () => {
    expect(fired().say("what's next?")).toMatch(/^Next: "take out the recycling" every Thursday at 7:00 PM/);
  });
});

describe("impossible input", () => {
  it("says what is wrong with a date, and the answer completes the request", () => {
    const h = herald();
    expect(h.say("feb 30 remind me to pay the bill")).toContain("February 2027 has 28 days");
    expect(h.tasks).toHaveLength(0);
    expect(h.say("march 2")).toContain("I'll remind you to pay the bill on Tue, Mar 2 2027");
  });

  it("says what is wrong with a time, and never makes it a title", () => {
    const h = herald();
    expect(h.say("at 25:00 remind me to sleep")).toContain("There is no 25:00");
    expect(h.tasks).toHaveLength(0);
  });
});

describe("channels the user can't be reached on", () => {
  it("says so at creation and offers the channel that works", () => {
    const h = herald({
      reachable: { sms: { ok: false, why: "I can't text you: I don't have a phone number for you." } },
    });
    expect(h.say("text me my open tasks every weekday at 8am")).toMatch(
      /^I can't text you: I don't have a phone number for you\. Shall I remind you about your open tasks here instead\?/,
    );
    expect(h.tasks).toHaveLength(0);
    expect(h.say("yes")).toContain("I'll remind you about your open tasks every weekday at 8:00 AM");
    expect(h.tasks[0]!.channel).toBe("console");
  });
});

describe("questions about one reminder, greetings and thanks", () => {
  it("answers when a named reminder is", () => {
    const h = herald();
    h.say("remind me next tuesday at 11 to renew my passport");
    h.say("remind me at 5pm to call mom");
    expect(h.say("when is my passport reminder")).toBe('"renew my passport" is on Tue, Dec 8 at 11:00 AM.');
  });

  it("cancels by a word that is also the weather's", () => {
    const h = herald();
    h.say("remind me tomorrow at 7am to bring the umbrella");
    expect(h.say("cancel the umbrella one")).toMatch(/^✓ Cancelled "bring the umbrella"/);
  });

  it("says hello and you're welcome instead of the fallback", () => {
    expect(herald().say("hi there")).toMatch(/^Hi! /);
    expect(herald().say("thanks")).toBe("You're welcome.");
  });
});

describe("small truths", () => {
  it("says a distance without rounding it up", () => {
    expect(herald().say("remind me in an hour and a half to check the oven")).toContain("(in 1 hour 30 minutes)");
  });

  it("speaks the user's words back to them", () => {
    const h = herald();
    expect(h.say("remind me at 5pm to take my pills")).toContain("remind you to take your pills");
    expect(h.say("remind me at 6pm the dentist appointment")).toContain("remind you about the dentist appointment");
    expect(h.say("text me at 7pm saying dinner is ready")).toContain(
      "remind you that dinner is ready today at 7:00 PM",
    );
  });

  it("numbers every choice it offers, and an exact title beats a loose one", () => {
    const h = herald();
    h.say("remind me at 5pm to call mom");
    h.say("remind me at 6pm to call mom");
    h.say("remind me at 7pm to call mom about the trip");
    h.say("remind me at 8pm to call the gym");
    expect(h.say("cancel call mom")).toMatch(
      /Which one do you mean\?\n1\. call mom: today at 5:00 PM.*\n2\. call mom: today at 6:00 PM.*\nReply "1" or "2", or "all"\./,
    );
    expect(h.say("2")).toBe(`✓ Cancelled "call mom". Reply "undo" to bring it back.`);
    const three = h.say("cancel call");
    expect(three).toContain('Reply a number from 1 to 3, or "all".');
  });
});
