import { describe, expect, it } from "vitest";
import { MicroBatcher, Slots } from "../../src/batch/index.js";

describe("Slots", () => {
  it("tryAcquire takes only the slots free now, and none while others wait in line", async () => {
    const slots = new Slots(3);
    expect(slots.tryAcquire(2)).toBe(2);
    expect(slots.tryAcquire(5)).toBe(1);
    expect(slots.tryAcquire(1)).toBe(0);
    let waited = false;
    const waiter = slots.acquire().then(() => {
      waited = true;
    });
    slots.release();
    await waiter;
    expect(waited).toBe(true);
    // Full again (the waiter holds the freed slot); a second waiter queues, and tryAcquire must not jump it.
    const second = slots.acquire();
    slots.release();
    await second;
    expect(slots.tryAcquire(1)).toBe(0);
    slots.release();
    expect(slots.tryAcquire(1)).toBe(1);
  });
});

describe("MicroBatcher", () => {
  it("sends calls arriving together as one batch, each answered with its own result, in order", async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher(async (xs: number[]) => {
      batches.push(xs);
      return xs.map((x) => x * 10);
    });
    const out = await Promise.all([1, 2, 3].map((x) => b.add(x)));
    expect(out).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });
});

describe("MicroBatcher with a large batch", () => {
  it("hands the results back a slice per event-loop turn, so other work waiting meanwhile runs between slices", async () => {
    const order: string[] = [];
    const b = new MicroBatcher(async (xs: number[]) => xs, { maxBatch: 300, resolveChunk: 100 });
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        b.add(i).then(() => {
          order.push("result");
          if (i === 0) setImmediate(() => order.push("other work"));
        }),
      ),
    );
    expect(order.filter((o) => o === "result")).toHaveLength(300);
    const other = order.indexOf("other work");
    // Handed back all at once, every continuation would run before anything else could.
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(300);
  });
});
