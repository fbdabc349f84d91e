import { describe, expect, it } from "vitest";
import {
  instantToWall,
  isValidTimeZone,
  nextOccurrence,
  previousOccurrence,
  toZonedIso,
  upcoming,
  validateRrule,
  wallToInstant,
} from "../../src/time/index.js";

const NY = "America/New_York";
const BERLIN = "Europe/Berlin";

describe("wallToInstant", () => {
  it("reads an ordinary wall time with the zone's offset on that date", () => {
    const winter = wallToInstant({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, NY);
    const summer = wallToInstant({ year: 2026, month: 7, day: 15, hour: 9, minute: 0 }, NY);

    expect(toZonedIso(winter, NY)).toBe("2026-01-15T09:00:00-05:00");
    expect(toZonedIso(summer, NY)).toBe("2026-07-15T09:00:00-04:00");
  });

  it("moves a wall time skipped by spring-forward ahead by the gap (New York, 2026-03-08 02:30 → 03:30)", () => {
    const t = wallToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY);

    expect(toZonedIso(t, NY)).toBe("2026-03-08T03:30:00-04:00");
  });

  it("moves a wall time skipped by spring-forward ahead by the gap (Berlin, 2026-03-29 02:30 → 03:30)", () => {
    const t = wallToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, BERLIN);

    expect(toZonedIso(t, BERLIN)).toBe("2026-03-29T03:30:00+02:00");
  });

  it("takes the first of two readings of a wall time repeated by fall-back (New York, 2026-11-01 01:30)", () => {
    const t = wallToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY);

    expect(toZonedIso(t, NY)).toBe("2026-11-01T01:30:00-04:00");
  });

  it("leaves wall times just outside the repeated hour alone", () => {
    const before = wallToInstant({ year: 2026, month: 11, day: 1, hour: 0, minute: 59 }, NY);
    const after = wallToInstant({ year: 2026, month: 11, day: 1, hour: 2, minute: 0 }, NY);

    expect(toZonedIso(before, NY)).toBe("2026-11-01T00:59:00-04:00");
    expect(toZonedIso(after, NY)).toBe("2026-11-01T02:00:00-05:00");
  });

  it("accepts the leap day 2028-02-29 and rejects 2026-02-29", () => {
    const leap = wallToInstant({ year: 2028, month: 2, day: 29, hour: 12, minute: 0 }, NY);

    expect(toZonedIso(leap, NY)).toBe("2028-02-29T12:00:00-05:00");
    expect(() => wallToInstant({ year: 2026, month: 2, day: 29, hour: 12, minute: 0 }, NY)).toThrow();
  });
});

describe("instantToWall", () => {
  it("gives the local reading and ISO weekday (1 = Monday) of an instant", () => {
    const w = instantToWall(new Date("2026-03-06T15:15:00Z"), NY);

    expect(w).toMatchObject({ year: 2026, month: 3, day: 6, hour: 10, minute: 15, weekday: 5 });
  });

  it("round-trips with wallToInstant across month and year ends", () => {
    for (const wall of [
      { year: 2026, month: 1, day: 31, hour: 23, minute: 59 },
      { year: 2026, month: 12, day: 31, hour: 23, minute: 30 },
      { year: 2028, month: 2, day: 29, hour: 0, minute: 0 },
    ]) {
      expect(instantToWall(wallToInstant(wall, BERLIN), BERLIN)).toMatchObject(wall);
    }
  });
});

describe("isValidTimeZone", () => {
  it("knows IANA names and rejects made-up ones", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});

describe("nextOccurrence", () => {
  const daily9 = (start: string, tz = NY) => ({ rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", tz, start: new Date(start) });

  it("keeps 'every day at 9' at 09:00 local on both sides of the New York spring-forward", () => {
    const rec = daily9("2026-03-06T15:15:00Z");

    const times = upcoming(rec, new Date("2026-03-06T15:15:00Z"), 3).map((t) => toZonedIso(t, NY));

    expect(times).toEqual(["2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00"]);
  });

  it("keeps 'every day at 9' at 09:00 local on both sides of the New York fall-back", () => {
    const rec = daily9("2026-10-30T12:00:00Z");

    const times = upcoming(rec, new Date("2026-10-31T14:00:00Z"), 2).map((t) => toZonedIso(t, NY));

    expect(times).toEqual(["2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00"]);
  });

  it("keeps 'every day at 9' at 09:00 local across the Berlin spring-forward", () => {
    const rec = daily9("2026-03-27T12:00:00Z", BERLIN);

    const times = upcoming(rec, new Date("2026-03-28T12:00:00Z"), 2).map((t) => toZonedIso(t, BERLIN));

    expect(times).toEqual(["2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"]);
  });

  it("fires a rule at a skipped wall time once, an hour later, on the spring-forward night", () => {
    const rec = { rrule: "FREQ=DAILY;BYHOUR=2;BYMINUTE=30", tz: NY, start: new Date("2026-03-06T12:00:00Z") };

    const times = upcoming(rec, new Date("2026-03-07T12:00:00Z"), 2).map((t) => toZonedIso(t, NY));

    expect(times).toEqual(["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]);
  });

  it("fires a rule at a repeated wall time once on the fall-back night", () => {
    const rec = { rrule: "FREQ=DAILY;BYHOUR=1;BYMINUTE=30", tz: NY, start: new Date("2026-10-30T12:00:00Z") };

    const times = upcoming(rec, new Date("2026-10-31T12:00:00Z"), 2).map((t) => toZonedIso(t, NY));

    expect(times).toEqual(["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]);
  });

  it("skips months without the day for 'the 31st of every month'", () => {
    const rec = {
      rrule: "FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=9;BYMINUTE=0",
      tz: NY,
      start: new Date("2026-01-31T15:00:00Z"),
    };

    const times = upcoming(rec, new Date("2026-01-31T15:00:00Z"), 2).map((t) => toZonedIso(t, NY));

    expect(times).toEqual(["2026-03-31T09:00:00-04:00", "2026-05-31T09:00:00-04:00"]);
  });

  it("finds the last Friday of each month with BYDAY=-1FR", () => {
    const rec = {
      rrule: "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9;BYMINUTE=0",
      tz: NY,
      start: new Date("2026-03-06T15:15:00Z"),
    };

    expect(toZonedIso(nextOccurrence(rec, new Date("2026-03-06T15:15:00Z"))!, NY)).toBe("2026-03-27T09:00:00-04:00");
  });

  it("lands a yearly Feb 29 rule on leap years only", () => {
    const rec = {
      rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=9;BYMINUTE=0",
      tz: NY,
      start: new Date("2026-03-06T15:15:00Z"),
    };

    expect(toZonedIso(nextOccurrence(rec, new Date("2026-03-06T15:15:00Z"))!, NY)).toBe("2028-02-29T09:00:00-05:00");
  });

  it("returns null once an UNTIL bound has passed", () => {
    const rec = {
      rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;UNTIL=20260310T235959Z",
      tz: NY,
      start: new Date("2026-03-06T15:15:00Z"),
    };

    expect(upcoming(rec, new Date("2026-03-06T15:15:00Z"), 10)).toHaveLength(4);
    expect(nextOccurrence(rec, new Date("2026-03-10T14:00:00Z"))).toBeNull();
  });

  it("counts COUNT from the rule's start", () => {
    const rec = {
      rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;COUNT=3",
      tz: NY,
      start: new Date("2026-03-06T15:15:00Z"),
    };

    expect(upcoming(rec, new Date("2026-03-06T15:15:00Z"), 10).map((t) => toZonedIso(t, NY))).toEqual([
      "2026-03-09T09:00:00-04:00",
      "2026-03-16T09:00:00-04:00",
      "2026-03-23T09:00:00-04:00",
    ]);
  });
});

describe("previousOccurrence", () => {
  it("finds the latest occurrence at or before an instant", () => {
    const rec = { rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", tz: NY, start: new Date("2026-03-01T14:00:00Z") };

    expect(toZonedIso(previousOccurrence(rec, new Date("2026-03-08T15:00:00Z"))!, NY)).toBe(
      "2026-03-08T09:00:00-04:00",
    );
  });
});

describe("validateRrule", () => {
  it("accepts a valid body and rejects nonsense", () => {
    expect(() => validateRrule("FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0")).not.toThrow();
    expect(() => validateRrule("FREQ=SOMETIMES")).toThrow();
  });
});

describe("long-running frequent rules", () => {
  it("keeps the phase of a 7-minute rule started two years earlier", () => {
    const rec = { rrule: "FREQ=MINUTELY;INTERVAL=7", tz: "America/New_York", start: new Date("2025-01-01T00:03:00Z") };
    expect(nextOccurrence(rec, new Date("2026-11-25T12:00:00Z"))).toEqual(new Date("2026-11-25T12:04:00Z"));
    expect(previousOccurrence(rec, new Date("2026-11-25T12:00:00Z"))).toEqual(new Date("2026-11-25T11:57:00Z"));
  });

  it("still counts COUNT from the rule's start", () => {
    const rec = { rrule: "FREQ=DAILY;COUNT=3;BYHOUR=9;BYMINUTE=0", tz: "UTC", start: new Date("2026-01-01T09:00:00Z") };
    expect(nextOccurrence(rec, new Date("2026-01-03T09:00:00Z"))).toBeNull();
    expect(nextOccurrence(rec, new Date("2026-01-02T09:00:00Z"))).toEqual(new Date("2026-01-03T09:00:00Z"));
  });
});
