import { describe, expect, it } from "vitest";
import { stepAlerts, type AlertPolicy, type AlertState, type Observation } from "../../src/ops/alerts.js";
import { formatAlert } from "../../src/ops/alert-text.js";

const MIN = 60_000;
const policy: AlertPolicy = {
  quietMs: 15 * MIN,
  forMs: { no_worker: 2 * MIN, backlog: MIN, llm_failing: 0, approval_overdue: 0 },
};

/** Feeds observations at the given minutes and collects what was announced. */
function run(steps: [number, Observation][]): { state: AlertState; said: string[] } {
  let state: AlertState = {};
  const said: string[] = [];
  for (const [minute, obs] of steps) {
    const r = stepAlerts(state, obs, minute * MIN, policy);
    state = r.state;
    said.push(...r.notifications.map((n) => `${minute}:${n.key}:${n.kind}:${n.count}`));
  }
  return { state, said };
}

const runFailed = (count = 1): Observation => ({ events: [{ key: "run_failed", count, detail: "task x: boom" }] });
const noWorker = (active: boolean): Observation => ({ conditions: { no_worker: { active, count: 4, detail: "" } } });
const tick: Observation = {};

describe("alert policy: events", () => {
  it("announces the first failure at once and holds the rest for the quiet period", () => {
    const { said } = run([
      [0, runFailed()],
      [1, runFailed()],
      [5, runFailed(3)],
      [10, tick],
    ]);
    expect(said).toEqual(["0:run_failed:firing:1"]);
  });

  it("announces what accumulated when the quiet period ends", () => {
    const { said } = run([
      [0, runFailed()],
      [1, runFailed()],
      [5, runFailed(3)],
      [15, tick],
    ]);
    expect(said).toEqual(["0:run_failed:firing:1", "15:run_failed:repeat:4"]);
  });

  it("announces the recovery after a quiet period without failures, then alerts afresh", () => {
    const { said, state } = run([
      [0, runFailed()],
      [15, tick],
      [16, runFailed()],
    ]);
    expect(said).toEqual(["0:run_failed:firing:1", "15:run_failed:recovered:0", "16:run_failed:firing:1"]);
    expect(state.run_failed?.phase).toBe("firing");
  });

  it("does not announce recovery while failures keep coming", () => {
    const { said } = run([
      [0, runFailed()],
      [14, runFailed()],
      [15, tick],
      [29, tick],
      [30, tick],
    ]);
    expect(said).toEqual(["0:run_failed:firing:1", "15:run_failed:repeat:1", "30:run_failed:recovered:0"]);
  });

  it("keeps different alerts apart", () => {
    const { said } = run([
      [0, runFailed()],
      [1, { events: [{ key: "delivery_failed", count: 1, detail: "" }] }],
    ]);
    expect(said).toEqual(["0:run_failed:firing:1", "1:delivery_failed:firing:1"]);
  });
});

describe("alert policy: conditions", () => {
  it("waits for a condition to hold for its duration before alerting", () => {
    const { said } = run([
      [0, noWorker(true)],
      [1, noWorker(true)],
      [2, noWorker(true)],
      [3, noWorker(true)],
    ]);
    expect(said).toEqual(["2:no_worker:firing:4"]);
  });

  it("says nothing for a condition that clears before its duration", () => {
    const { said, state } = run([
      [0, noWorker(true)],
      [1, noWorker(false)],
      [2, noWorker(true)],
      [3, noWorker(true)],
    ]);
    expect(said).toEqual([]);
    expect(state.no_worker?.phase).toBe("pending");
  });

  it("repeats at most once per quiet period while it holds, and announces the recovery", () => {
    const steps: [number, Observation][] = [];
    for (let m = 0; m <= 33; m++) steps.push([m, noWorker(true)]);
    steps.push([34, noWorker(false)], [35, noWorker(false)]);
    const { said, state } = run(steps);
    expect(said).toEqual([
      "2:no_worker:firing:4",
      "17:no_worker:repeat:4",
      "32:no_worker:repeat:4",
      "34:no_worker:recovered:4",
    ]);
    expect(state.no_worker).toBeUndefined();
  });

  it("alerts at once for a condition with no duration", () => {
    const { said } = run([[0, { conditions: { llm_failing: { active: true, count: 3, detail: "" } } }]]);
    expect(said).toEqual(["0:llm_failing:firing:3"]);
  });

  it("leaves a condition alone when it was not measured", () => {
    const { said, state } = run([
      [0, noWorker(true)],
      [2, noWorker(true)],
      [3, tick],
    ]);
    expect(said).toEqual(["2:no_worker:firing:4"]);
    expect(state.no_worker?.phase).toBe("firing");
  });
});

describe("alert messages", () => {
  it("say what happened, how many, and what to look at", () => {
    const m = formatAlert({
      key: "run_failed",
      kind: "repeat",
      count: 4,
      total: 5,
      detail: "Latest: task abc: timeout",
      durationMs: 15 * MIN,
    });
    expect(m.text).toContain("4 more task runs failed for good in the last 15 min (5 in all)");
    expect(m.text).toContain("herald tasks list --status failed");
    const down = formatAlert({
      key: "no_worker",
      kind: "firing",
      count: 12,
      total: 12,
      detail: "No live fire worker; 12 timer(s) waiting.",
      durationMs: 2 * MIN,
    });
    expect(down.text).toContain("No live fire worker for 2 min");
    expect(down.text).toContain("herald worker");
  });

  it("announce a recovery without instructions", () => {
    const m = formatAlert({ key: "backlog", kind: "recovered", count: 0, total: 300, detail: "", durationMs: 5 * MIN });
    expect(m.text).toMatch(/^✅ The backlog has cleared/);
    expect(m.blocks).toHaveLength(1);
  });
});
