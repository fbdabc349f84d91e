import { describe, expect, it } from "vitest";
import { AnswerWait } from "../../src/bot/answer-wait.js";

/** When a webhook waits for its answer to carry it in the response (src/bot/answer-wait.ts). */
describe("AnswerWait", () => {
  const policy = () => new AnswerWait({ maxWaiting: 2, misses: 2, pauseMs: 1000 });

  it("lets webhooks wait while the answers come in time, at most maxWaiting at once", () => {
    const w = policy();
    const a = w.begin(0);
    const b = w.begin(10);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(w.begin(20)).toBeNull();
    w.done(50, a!, true);
    expect(w.begin(60)).not.toBeNull();
  });

  it("stops waiting for pauseMs after `misses` waits in a row ran out", () => {
    const w = policy();
    const a = w.begin(0)!;
    const b = w.begin(0)!;
    w.done(150, a, false);
    expect(w.begin(160)).not.toBeNull(); // one miss is not yet a pattern
    w.done(150, b, false);
    expect(w.begin(200)).toBeNull();
    expect(w.begin(1100)).toBeNull();
  });

  it("after the pause lets one webhook probe, and the others wait again only if it was answered in time", () => {
    const w = policy();
    w.done(150, w.begin(0)!, false);
    w.done(150, w.begin(0)!, false);
    const probe = w.begin(1200);
    expect(probe).toEqual({ probe: true });
    expect(w.begin(1210)).toBeNull();
    w.done(1300, probe!, true);
    expect(w.begin(1310)).toEqual({ probe: false });
  });

  it("pauses again at once when the probe misses", () => {
    const w = policy();
    w.done(150, w.begin(0)!, false);
    w.done(150, w.begin(0)!, false);
    w.done(1350, w.begin(1200)!, false);
    expect(w.begin(1400)).toBeNull();
    expect(w.begin(2300)).toBeNull();
    expect(w.begin(2400)).toEqual({ probe: true });
  });

  it("an answer in time resets the count of misses", () => {
    const w = policy();
    w.done(150, w.begin(0)!, false);
    w.done(200, w.begin(100)!, true);
    w.done(400, w.begin(250)!, false);
    expect(w.begin(410)).not.toBeNull();
  });
});
