import { describe, expect, it } from "vitest";
import { ACTIVE_STATUSES, canTransition, judgeNewTask } from "../../src/tasks/index.js";

const now = new Date("2026-03-01T12:00:00Z");
const every = (rrule: string) => ({ rrule, tz: "UTC", start: now });
const base = { recurrence: null, audience: null, activeTasks: 0, maxActiveTasks: 25, now };

describe("judgeNewTask", () => {
  it("accepts a one-off for its owner without approval", () => {
    expect(judgeNewTask(base)).toEqual({ ok: true, approval: null });
  });

  it("refuses a task beyond the per-person limit, saying how to make room", () => {
    const v = judgeNewTask({ ...base, activeTasks: 25 });
    expect(v).toMatchObject({ ok: false, code: "herald_limit_active_tasks" });
    expect(v.ok === false && v.reason).toMatch(/cancel/i);
  });

  it("refuses a recurrence more often than every 5 minutes", () => {
    expect(judgeNewTask({ ...base, recurrence: every("FREQ=MINUTELY;INTERVAL=2") })).toMatchObject({
      ok: false,
      code: "herald_limit_recurrence",
    });
  });

  it("holds a recurrence more often than hourly for approval", () => {
    expect(judgeNewTask({ ...base, recurrence: every("FREQ=MINUTELY;INTERVAL=30") })).toEqual({
      ok: true,
      approval: "recurs more often than hourly",
    });
  });

  it("accepts an hourly or daily recurrence without approval", () => {
    expect(judgeNewTask({ ...base, recurrence: every("FREQ=HOURLY") })).toEqual({ ok: true, approval: null });
    expect(judgeNewTask({ ...base, recurrence: every("FREQ=DAILY;BYHOUR=9") })).toEqual({ ok: true, approval: null });
  });

  it("holds a task that reaches someone else for approval, naming them", () => {
    const v = judgeNewTask({ ...base, audience: "+15551234567" });
    expect(v.ok && v.approval).toMatch(/\+15551234567/);
  });
});

describe("canTransition", () => {
  it("lets a scheduled task be paused, cancelled or run, and a paused one resumed", () => {
    for (const to of ["paused", "cancelled", "running"]) expect(canTransition("scheduled", to)).toBe(true);
    expect(canTransition("paused", "scheduled")).toBe(true);
  });

  it("lets a running task be paused or cancelled (its run then sends nothing)", () => {
    expect(canTransition("running", "paused")).toBe(true);
    expect(canTransition("running", "cancelled")).toBe(true);
  });

  it("keeps completed and cancelled tasks terminal, but lets a failed one be retried", () => {
    for (const from of ["completed", "cancelled"])
      for (const to of ["scheduled", "paused", "running"]) expect(canTransition(from, to)).toBe(false);
    expect(canTransition("failed", "scheduled")).toBe(true);
  });

  it("lets a pending task only be approved or cancelled", () => {
    expect(canTransition("pending_approval", "scheduled")).toBe(true);
    expect(canTransition("pending_approval", "running")).toBe(false);
  });

  it("counts scheduled, pending, paused and running tasks as active", () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(["paused", "pending_approval", "running", "scheduled"]);
  });
});
