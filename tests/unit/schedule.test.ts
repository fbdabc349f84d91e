import { describe, expect, it } from "vitest";
import {
  firstOccurrence,
  fireJobId,
  occurrenceAfter,
  occurrenceToFire,
  type TaskTiming,
} from "../../src/tasks/index.js";

const NY = "America/New_York";
const oneOff = (runAt: string): TaskTiming => ({ runAt: new Date(runAt), rrule: null, dtstart: null, timezone: "UTC" });
const daily9 = (timezone = NY): TaskTiming => ({
  runAt: null,
  rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
  dtstart: new Date("2026-01-01T14:00:00Z"),
  timezone,
});
const at = (iso: string) => new Date(iso);

describe("firstOccurrence", () => {
  it("is a one-off's own time, even when that has passed (late, not lost)", () => {
    expect(firstOccurrence(oneOff("2026-03-01T10:00:00Z"), at("2026-03-02T00:00:00Z"))).toEqual(
      at("2026-03-01T10:00:00Z"),
    );
  });

  it("is the next occurrence of a recurrence, counting one due exactly now", () => {
    expect(firstOccurrence(daily9(), at("2026-03-05T15:00:00Z"))).toEqual(at("2026-03-06T14:00:00Z"));
    expect(firstOccurrence(daily9(), at("2026-03-06T14:00:00Z"))).toEqual(at("2026-03-06T14:00:00Z"));
  });

  it("keeps 'every day at 9' at 09:00 local across the spring-forward change", () => {
    expect(firstOccurrence(daily9(), at("2026-03-07T15:00:00Z"))).toEqual(at("2026-03-08T13:00:00Z"));
  });
});

describe("occurrenceAfter", () => {
  it("has nothing after a one-off", () => {
    expect(
      occurrenceAfter(oneOff("2026-03-01T10:00:00Z"), at("2026-03-01T10:00:00Z"), at("2026-03-01T10:00:01Z")),
    ).toBeNull();
  });

  it("is the next occurrence after the one that fired", () => {
    expect(occurrenceAfter(daily9(), at("2026-03-07T14:00:00Z"), at("2026-03-07T14:00:00.020Z"))).toEqual(
      at("2026-03-08T13:00:00Z"),
    );
  });

  it("skips occurrences missed during downtime instead of replaying them", () => {
    expect(occurrenceAfter(daily9(), at("2026-03-01T14:00:00Z"), at("2026-03-05T12:00:00Z"))).toEqual(
      at("2026-03-05T14:00:00Z"),
    );
  });
});

describe("occurrenceToFire (misfire policy)", () => {
  it("fires an occurrence late within the grace period as it is", () => {
    expect(occurrenceToFire(daily9(), at("2026-03-05T14:00:00Z"), at("2026-03-05T14:00:30Z"), 60_000)).toEqual(
      at("2026-03-05T14:00:00Z"),
    );
  });

  it("fires only the latest missed occurrence of a recurring task overdue by days", () => {
    expect(occurrenceToFire(daily9(), at("2026-03-02T14:00:00Z"), at("2026-03-05T20:00:00Z"), 60_000)).toEqual(
      at("2026-03-05T14:00:00Z"),
    );
  });

  it("leaves an overdue task alone when no later occurrence was missed", () => {
    expect(occurrenceToFire(daily9(), at("2026-03-05T14:00:00Z"), at("2026-03-05T20:00:00Z"), 60_000)).toEqual(
      at("2026-03-05T14:00:00Z"),
    );
  });

  it("fires an overdue one-off at its own time, however late", () => {
    expect(
      occurrenceToFire(oneOff("2026-03-01T10:00:00Z"), at("2026-03-01T10:00:00Z"), at("2026-03-04T10:00:00Z"), 60_000),
    ).toEqual(at("2026-03-01T10:00:00Z"));
  });
});

describe("fireJobId", () => {
  it("is derived from task and occurrence, without the ':' BullMQ rejects", () => {
    const id = fireJobId("6f1c0a7e-0000-4000-8000-000000000001", at("2026-03-08T13:00:00Z"));
    expect(id).toBe(fireJobId("6f1c0a7e-0000-4000-8000-000000000001", at("2026-03-08T13:00:00Z")));
    expect(id).not.toBe(fireJobId("6f1c0a7e-0000-4000-8000-000000000001", at("2026-03-09T13:00:00Z")));
    expect(id).not.toContain(":");
  });
});

describe("schedules in words", () => {
  it("says what an operator would say, with the zone", async () => {
    const { describeSchedule } = await import("../../src/time/index.js");
    const ny = "America/New_York";
    expect(describeSchedule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0", ny)).toBe(
      "every weekday at 8:00 AM America/New_York",
    );
    expect(describeSchedule("FREQ=DAILY;BYHOUR=21;BYMINUTE=30", "UTC")).toBe("every day at 9:30 PM UTC");
    expect(describeSchedule("FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=12;BYMINUTE=5", ny)).toBe(
      "every Monday and Thursday at 12:05 PM America/New_York",
    );
    expect(describeSchedule("FREQ=MINUTELY;INTERVAL=10", "UTC")).toBe("every 10 minutes UTC");
    expect(describeSchedule("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0;COUNT=3", "UTC")).toBe(
      "on the 1st of every month at 9:00 AM, 3 times UTC",
    );
    expect(describeSchedule("FREQ=DAILY", ny, new Date("2026-03-06T14:15:00Z"))).toBe(
      "every day at 9:15 AM America/New_York",
    );
  });
});
