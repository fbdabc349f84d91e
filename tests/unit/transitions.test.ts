import { describe, expect, it } from "vitest";
import { type Actor, decide, type TaskAction, type TaskStatus } from "../../src/tasks/index.js";

const owner: Actor = { kind: "user", userId: "u1" };
const stranger: Actor = { kind: "user", userId: "u2" };
const admin: Actor = { kind: "admin", name: "admin:web" };
const ACTIONS: TaskAction[] = [
  "cancel",
  "pause",
  "resume",
  "approve",
  "reject",
  "reschedule",
  "snooze",
  "skip",
  "done",
  "run_now",
  "retry",
  "restore",
  "set_cutoff",
];
const facts = (status: TaskStatus, recurring = false, restoreTo?: TaskStatus) => ({
  status,
  userId: "u1",
  recurring,
  restoreTo,
});
const moves = (d: ReturnType<typeof decide>) => (d.ok ? d.status : `refused: ${d.reason}`);

describe("the task rules", () => {
  it("release a held task only on an admin's approve", () => {
    for (const actor of [owner, admin])
      for (const action of ACTIONS)
        for (const recurring of [false, true])
          for (const restoreTo of ["scheduled", "paused", "pending_approval"] as TaskStatus[]) {
            const d = decide(facts("pending_approval", recurring, restoreTo), action, actor);
            const released = d.ok && (d.status === "scheduled" || d.status === "running" || d.status === "paused");
            expect(released, `${actor.kind} ${action} (restore to ${restoreTo})`).toBe(
              actor === admin && action === "approve",
            );
          }
  });

  it("let the owner withdraw a held task, and tell them why they can't resume it", () => {
    expect(moves(decide(facts("pending_approval"), "cancel", owner))).toBe("cancelled");
    expect(moves(decide(facts("pending_approval"), "resume", owner))).toMatch(/waiting for an admin's approval/);
    expect(moves(decide(facts("pending_approval"), "approve", owner))).toMatch(/Only an admin/);
  });

  it("keep a held task held when it is rescheduled or an edit of it is undone", () => {
    expect(moves(decide(facts("pending_approval"), "reschedule", owner))).toBe("pending_approval");
    expect(moves(decide(facts("pending_approval", false, "scheduled"), "restore", owner))).toBe("pending_approval");
  });

  it("refuse another user's task as if it did not exist", () => {
    const d = decide(facts("scheduled"), "cancel", stranger);
    expect(d).toMatchObject({ ok: false, code: "herald_task_not_found" });
  });

  it("pause and resume a scheduled task, and treat a repeat of either as done", () => {
    expect(moves(decide(facts("scheduled"), "pause", owner))).toBe("paused");
    expect(moves(decide(facts("paused"), "pause", owner))).toBe("paused");
    expect(moves(decide(facts("paused"), "resume", owner))).toBe("scheduled");
    expect(moves(decide(facts("scheduled"), "resume", owner))).toBe("scheduled");
  });

  it("skip only a scheduled repeat", () => {
    expect(moves(decide(facts("scheduled", true), "skip", owner))).toBe("scheduled");
    expect(moves(decide(facts("scheduled", false), "skip", owner))).toMatch(/doesn't repeat/);
  });

  it("end a one-off when it is marked done, and leave a repeat scheduled", () => {
    expect(moves(decide(facts("scheduled"), "done", owner))).toBe("cancelled");
    expect(moves(decide(facts("completed"), "done", owner))).toBe("completed");
    expect(moves(decide(facts("scheduled", true), "done", owner))).toBe("scheduled");
  });

  it("keep finished tasks finished, except to run a one-off again or undo its cancel", () => {
    expect(moves(decide(facts("cancelled"), "cancel", owner))).toMatch(/already cancelled/);
    expect(moves(decide(facts("completed"), "reschedule", owner))).toMatch(/can't be moved/);
    expect(moves(decide(facts("completed"), "run_now", admin))).toBe("scheduled");
    expect(moves(decide(facts("cancelled", false, "scheduled"), "restore", owner))).toBe("scheduled");
  });

  it("reject a held task as rejected, for good: no run, no undo, no snooze", () => {
    expect(moves(decide(facts("pending_approval"), "reject", admin))).toBe("rejected");
    for (const action of ["run_now", "retry", "resume", "snooze", "reschedule", "set_cutoff"] as TaskAction[])
      expect(moves(decide(facts("rejected"), action, admin)), action).toMatch(/^refused/);
    expect(moves(decide(facts("rejected", false, "pending_approval"), "restore", owner))).toMatch(/admin rejected it/);
  });

  it("change a task's cut-off without changing its status", () => {
    expect(moves(decide(facts("scheduled"), "set_cutoff", admin))).toBe("scheduled");
    expect(moves(decide(facts("pending_approval"), "set_cutoff", owner))).toBe("pending_approval");
    expect(moves(decide(facts("completed"), "set_cutoff", admin))).toMatch(/nothing left to send/);
  });

  it("leave running and retrying a task to admins", () => {
    expect(moves(decide(facts("failed"), "retry", owner))).toMatch(/Only an admin/);
    expect(moves(decide(facts("failed"), "retry", admin))).toBe("scheduled");
  });
});
