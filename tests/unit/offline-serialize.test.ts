import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import { interpretationToJson } from "../../src/ai/serialize.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York. */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const json = (text: string) => interpretationToJson(interpretOffline(text, { now: FRI, tz: NY }), NY);

describe("herald parse JSON", () => {
  it("prints further one-offs in also", () => {
    expect(json("set alarms for 6 and 6:30")).toMatchObject({
      schedule: { kind: "once", at: "2026-03-06T18:00:00-05:00" },
      also: [{ kind: "once", at: "2026-03-06T18:30:00-05:00" }],
    });
  });

  it("prints instants in the zone the request named, and the zone", () => {
    expect(json("remind me at 5pm pacific to call")).toMatchObject({
      zone: "America/Los_Angeles",
      schedule: { kind: "once", at: "2026-03-06T17:00:00-08:00" },
    });
  });

  it("prints an edit, with a restated schedule's instants as ISO", () => {
    expect(json("move the dentist one to 4pm")).toMatchObject({
      schedule: null,
      edit: { times: [{ hour: 16, minute: 0 }] },
    });
    expect(json("change it to every day at 9")).toMatchObject({
      edit: {
        schedule: { kind: "recurring", rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", next: "2026-03-07T09:00:00-05:00" },
      },
    });
  });

  it("prints issues, the list limit and fragments", () => {
    expect(json("remind me on feb 30").issues).toEqual([
      { kind: "invalid_date", text: "feb 30", reason: "February 2027 has 28 days" },
    ]);
    expect(json("what's next?").limit).toBe(1);
    expect(json("tomorrow at 5").fragment).toBe(true);
  });

  it("leaves out the fields an interpretation does not have", () => {
    expect(Object.keys(json("remind me at 5pm to call mom"))).toEqual(["intent", "task", "schedule", "confidence"]);
  });
});
