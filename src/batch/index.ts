import { setImmediate } from "node:timers/promises";

/**
 * Group commit for the hot path. A statement costs about a millisecond of round trip and planning
 * whether it touches one row or five hundred, so claims and completions arriving together are sent as
 * one multi-row statement. Latency stays low when idle: the first call goes out after `windowMs`
 * (0: the same event-loop turn); while `maxInFlight` batches are running, new calls queue and leave
 * together with the next one.
 */
export interface BatcherOptions {
  /** How long the first call of a batch waits for company. @defaultValue 1 */
  windowMs?: number;
  /** Calls per statement. @defaultValue 500 */
  maxBatch?: number;
  /** Batches running at once (each holds a pool connection). @defaultValue 4 */
  maxInFlight?: number;
  /** Results handed back per event-loop turn. @defaultValue 100 */
  resolveChunk?: number;
}

interface Pending<I, O> {
  input: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly resolveChunk: number;

  /** @param run gets the inputs of one batch and returns one output per input, in order. */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    o: BatcherOptions = {},
  ) {
    this.windowMs = o.windowMs ?? 1;
    this.maxBatch = o.maxBatch ?? 500;
    this.maxInFlight = o.maxInFlight ?? 4;
    this.resolveChunk = o.resolveChunk ?? 100;
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer)
        this.timer = setTimeout(() => {
          this.timer = null;
          this.flush();
        }, this.windowMs);
    });
  }

  private flush(): void {
    while (this.queue.length && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch.map((p) => p.input))
        .then(
          async (outs) => {
            // Each caller's continuation runs when its promise resolves; five hundred at once held the event
            // loop for milliseconds (timers due meanwhile fired late), so they are handed back in slices.
            for (const [i, p] of batch.entries()) {
              p.resolve(outs[i]!);
              if (i % this.resolveChunk === this.resolveChunk - 1) await setImmediate();
            }
          },
          (err) => {
            for (const p of batch) p.reject(err);
          },
        )
        .finally(() => {
          this.inFlight--;
          if (this.queue.length && !this.timer) this.flush();
        });
    }
  }
}

/** A counting semaphore: at most `size` holders at once, the rest wait in arrival order. */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Whether an acquire now would not wait. */
  get free(): boolean {
    return this.used < this.size && this.waiting.length === 0;
  }

  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Takes up to `n` slots that are free now, without waiting; returns how many it took. */
  tryAcquire(n: number): number {
    if (this.waiting.length) return 0;
    const took = Math.max(0, Math.min(n, this.size - this.used));
    this.used += took;
    return took;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}
