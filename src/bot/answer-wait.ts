/**
 * Whether a webhook should wait for its answer (to carry it in the response, as Twilio's TwiML can), from
 * how the last waits went. Waiting costs the ack its budget, so it is worth it only while the workers
 * answer in time: after `misses` waits in a row that ran out, the webhooks stop waiting for `pauseMs`,
 * then one waits again as a probe, and its outcome decides whether the rest may. At most `maxWaiting` wait
 * at once: a burst has the workers busy, and the first waits would only find that out late. A pure state
 * machine over the clock it is given.
 */
export class AnswerWait {
  private waiting = 0;
  private missed = 0;
  private pausedUntil = 0;
  private probing = false;

  constructor(private readonly o: { maxWaiting: number; misses: number; pauseMs: number } = DEFAULTS) {}

  /** Whether the webhook arriving at `now` waits: null if not, else the wait, to hand back to done(). */
  begin(now: number): { probe: boolean } | null {
    if (this.waiting >= this.o.maxWaiting || now < this.pausedUntil) return null;
    const probe = this.pausedUntil > 0;
    // The pause is over: this one probes, and the others keep not waiting until it is back.
    if (probe && this.probing) return null;
    this.probing ||= probe;
    this.waiting++;
    return { probe };
  }

  /** The end of a wait: `answered` when the answer came within the budget. */
  done(now: number, wait: { probe: boolean }, answered: boolean): void {
    this.waiting = Math.max(0, this.waiting - 1);
    const { probe } = wait;
    if (probe) this.probing = false;
    if (answered) {
      this.missed = 0;
      this.pausedUntil = 0;
      return;
    }
    this.missed++;
    if (probe || this.missed >= this.o.misses) {
      this.pausedUntil = now + this.o.pauseMs;
      this.missed = 0;
    }
  }
}

const DEFAULTS = { maxWaiting: 2, misses: 2, pauseMs: 1000 };
