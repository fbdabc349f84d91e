import { describe, expect, it } from "vitest";
import type { RecurrenceFields } from "../../src/ai/llm/extraction.js";
import { ruleFromFields } from "../../src/ai/llm/rules.js";
import { upcoming } from "../../src/time/index.js";
import { answer } from "../fakes/openai.js";

const TZ = "America/New_York";
const ctx = { now: new Date("2026-03-06T12:00:00-05:00"), tz: TZ }; // Friday noon; DST starts Sunday March 8

const rule = (over: Partial<RecurrenceFields>, leadMinutes?: number) =>
  ruleFromFields(answer.recurrence(over), ctx, { said: "the words", leadMinutes });
/** The rule and its next `n` firings as the engine expands them (DTSTART is `next`, as the conversation stores it). */
const fires = (over: Partial<RecurrenceFields>, n: number, leadMinutes?: number) => {
  const r = rule(over, leadMinutes);
  if (!r || !("value" in r)) throw new Error(`expected a rule, got ${JSON.stringify(r)}`);
  const { rrule, next } = r.value;
  const times = [next, ...upcoming({ rrule, tz: TZ, start: next }, next, n - 1)];
  return { rrule, times: times.map((t) => t.toISOString()) };
};
const iso = (...local: string[]) => local.map((t) => new Date(t).toISOString());

describe("repeating rules from the model's fields", () => {
  it("builds an RRULE with INTERVAL, BYDAY, the time and a floating UNTIL", () => {
    const r = rule({
      freq: "WEEKLY",
      interval: 2,
      byday: ["TU", "TU", "FR"],
      times: ["18:15"],
      until: "2026-06-30",
    });
    expect(r).toEqual({
      value: {
        rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR;BYHOUR=18;BYMINUTE=15;UNTIL=20260630T235959Z",
        next: new Date("2026-03-06T18:15:00-05:00"),
      },
    });
  });
  it("starts 'every other tuesday' said on a friday on the coming tuesday, not the one after", () => {
    expect(fires({ freq: "WEEKLY", interval: 2, byday: ["TU"], times: ["09:00"] }, 2).times).toEqual(
      iso("2026-03-10T09:00:00-04:00", "2026-03-24T09:00:00-04:00"),
    );
  });
  it("fires at every time of day named, with one rule", () => {
    const r = fires({ times: ["09:00", "21:00"] }, 3);
    expect(r.rrule).toBe("FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0");
    expect(r.times).toEqual(iso("2026-03-06T21:00:00-05:00", "2026-03-07T09:00:00-05:00", "2026-03-07T21:00:00-05:00"));
  });
  it("picks times with different minutes out of each day's set, across the DST change", () => {
    const r = fires({ times: ["17:30", "09:00"] }, 4);
    expect(r.rrule).toBe("FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSETPOS=1,4");
    expect(r.times).toEqual(
      iso(
        "2026-03-06T17:30:00-05:00",
        "2026-03-07T09:00:00-05:00",
        "2026-03-07T17:30:00-05:00",
        "2026-03-08T09:00:00-04:00",
      ),
    );
  });
  it("fires 'every hour from 9 to 5' only within the window", () => {
    const r = fires({ freq: "HOURLY", window: { from: "09:00", to: "17:00" } }, 6);
    expect(r.rrule).toBe("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0");
    expect(r.times).toEqual(
      iso(
        "2026-03-06T13:00:00-05:00",
        "2026-03-06T14:00:00-05:00",
        "2026-03-06T15:00:00-05:00",
        "2026-03-06T16:00:00-05:00",
        "2026-03-06T17:00:00-05:00",
        "2026-03-07T09:00:00-05:00",
      ),
    );
  });
  it("fires 'every 30 minutes between 2 and 4pm on weekdays' at 2:00 through 4:00, then on monday", () => {
    const r = fires(
      { freq: "MINUTELY", interval: 30, byday: ["MO", "TU", "WE", "TH", "FR"], window: { from: "14:00", to: "16:00" } },
      6,
    );
    expect(r.rrule).toBe("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=14,15,16;BYMINUTE=0,30;BYSETPOS=1,2,3,4,5");
    expect(r.times).toEqual(
      iso(
        "2026-03-06T14:00:00-05:00",
        "2026-03-06T14:30:00-05:00",
        "2026-03-06T15:00:00-05:00",
        "2026-03-06T15:30:00-05:00",
        "2026-03-06T16:00:00-05:00",
        "2026-03-09T14:00:00-04:00",
      ),
    );
  });
  it("reads the first monday and the last friday of the month", () => {
    expect(fires({ freq: "MONTHLY", byday: ["MO"], nth: [1], times: ["10:00"] }, 2)).toEqual({
      rrule: "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0",
      times: iso("2026-04-06T10:00:00-04:00", "2026-05-04T10:00:00-04:00"),
    });
    expect(fires({ freq: "WEEKLY", byday: ["FR"], nth: [-1], times: ["16:00"] }, 1)).toEqual({
      rrule: "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16;BYMINUTE=0",
      times: iso("2026-03-27T16:00:00-04:00"),
    });
  });
  it("leaves excluded weekdays out", () => {
    expect(rule({ freq: "WEEKLY", byday: ["MO", "TU", "WE", "TH", "FR"], except: ["FR"] })).toMatchObject({
      value: { rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH;BYHOUR=9;BYMINUTE=0" },
    });
    expect(rule({ except: ["SA", "SU"] })).toMatchObject({
      value: { rrule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0" },
    });
  });
  it("stops after a count, or after a span from today", () => {
    const three = rule({ times: ["20:00"], count: 3 });
    expect(three).toMatchObject({ value: { rrule: "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;COUNT=3" } });
    const weeks = fires({ freq: "WEEKLY", byday: ["FR"], times: ["18:00"], lasting: { amount: 4, unit: "week" } }, 6);
    expect(weeks.rrule).toBe("FREQ=WEEKLY;BYDAY=FR;BYHOUR=18;BYMINUTE=0;UNTIL=20260402T235959Z");
    expect(weeks.times).toHaveLength(4);
  });
  it("moves each time earlier by a lead time", () => {
    expect(rule({ byday: ["MO"], freq: "WEEKLY", times: ["09:00"] }, 15)).toMatchObject({
      value: { rrule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=45" },
    });
  });
});

describe("repeating schedules that cannot be one rule", () => {
  const unsupported = (over: Partial<RecurrenceFields>, lead?: number) => {
    const r = rule(over, lead);
    return r && "issue" in r ? r.issue : r;
  };
  it("says so for a lead time that moves a weekly reminder to the day before", () => {
    expect(unsupported({ freq: "WEEKLY", byday: ["MO"], times: ["00:10"] }, 30)).toMatchObject({
      kind: "unsupported",
      text: "the words",
    });
  });
  it("says so for a window across midnight, and for minutes that differ on several days of a longer period", () => {
    expect(unsupported({ freq: "HOURLY", window: { from: "22:00", to: "02:00" } })).toMatchObject({
      kind: "unsupported",
    });
    expect(unsupported({ freq: "WEEKLY", interval: 2, byday: ["MO", "TH"], times: ["09:00", "17:30"] })).toMatchObject({
      kind: "unsupported",
    });
  });
  it("says so for a rule that ends before it would first fire", () => {
    expect(unsupported({ times: ["09:00"], until: "2020-01-01" })).toMatchObject({
      kind: "unsupported",
      reason: "the repeat ends before it would first fire",
    });
  });
  it("reports an impossible time of day or day of the month", () => {
    expect(unsupported({ times: ["25:00"] })).toMatchObject({ kind: "invalid_time" });
    expect(unsupported({ freq: "MONTHLY", monthdays: [32] })).toMatchObject({ kind: "invalid_date" });
  });
});
