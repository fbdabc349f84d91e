import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Interpretation } from "../../src/ai/types.js";
import { toZonedIso } from "../../src/time/index.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York (07:15 in Los Angeles, 16:15 in Berlin). */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const interpret = (text: string): Interpretation => interpretOffline(text, { now: FRI, tz: NY });
const at = (i: Interpretation, tz: string) => (i.schedule?.kind === "once" ? toZonedIso(i.schedule.at, tz) : null);

describe("a zone named in the request", () => {
  it.each([
    [
      "remind me at 5pm pacific to call the office",
      "America/Los_Angeles",
      "2026-03-06T17:00:00-08:00",
      "call the office",
    ],
    ["call bob 5pm PT", "America/Los_Angeles", "2026-03-06T17:00:00-08:00", "call bob"],
    ["remind me at 5pm EST to send the report", "America/New_York", "2026-03-06T17:00:00-05:00", "send the report"],
    ["remind me 9am Berlin time to call hans", "Europe/Berlin", "2026-03-07T09:00:00+01:00", "call hans"],
    ["remind me at 17:00 UTC to deploy", "UTC", "2026-03-06T17:00:00Z", "deploy"],
    ["remind me 9am Europe/Paris to book the train", "Europe/Paris", "2026-03-07T09:00:00+01:00", "book the train"],
    ["remind me at 5 central to stretch", "America/Chicago", "2026-03-06T17:00:00-06:00", "stretch"],
    ["remind me at 8 am tokyo time to call yuki", "Asia/Tokyo", "2026-03-07T08:00:00+09:00", "call yuki"],
  ])("%s is resolved in %s and the zone stays out of the task", (text, zone, expected, task) => {
    const result = interpret(text);

    expect(result).toMatchObject({ intent: "create", zone, task });
    expect(at(result, zone)).toBe(expected);
  });

  it("counts relative days in the named zone too: it is already Saturday in Tokyo", () => {
    const result = interpret("remind me tomorrow at 8 am tokyo time to call yuki");

    expect(at(result, "Asia/Tokyo")).toBe("2026-03-08T08:00:00+09:00");
  });

  it("keeps a recurring rule's wall times in the named zone", () => {
    const result = interpret("every day at 9am pacific stretch");

    expect(result).toMatchObject({
      zone: "America/Los_Angeles",
      task: "stretch",
      schedule: { kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", tz: "America/Los_Angeles" },
    });
  });

  it("reads a zone word that has other meanings only at the end of the time", () => {
    const result = interpret("remind me to meet sam at 9 central park");

    expect(result.zone).toBeUndefined();
  });

  it("does not take 'christmas time' or 'dinner time' for a zone", () => {
    expect(interpret("remind me to buy lights at christmas time").zone).toBeUndefined();
    expect(interpret("remind me at dinner time to call mom").zone).toBeUndefined();
  });

  it("leaves the zone out when none is named", () => {
    expect(interpret("remind me at 5pm to call mom").zone).toBeUndefined();
  });
});
