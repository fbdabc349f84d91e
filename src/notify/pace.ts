import type { Redis } from "../redis/index.js";

/**
 * Per-sender pacing: providers limit how fast one sender may go (a Twilio long code sends about one
 * message a second, Slack's chat.postMessage about one a second per channel) and answer 429 past it.
 * Sends are spaced by a generic cell rate algorithm per key (a Twilio number, a Slack channel): the key
 * holds its "theoretical arrival time", the earliest instant its next send fits the rate, in Redis, so
 * every worker process shares one pace per key (a pace per process would multiply the rate by the number
 * of workers). A 429 pushes the key back to the provider's Retry-After. Times are Redis's own clock (TIME),
 * so workers' clocks do not matter; a key expires once its time has passed.
 */
export interface Pace {
  /** What is limited: "sms:+15551234567", "slack:C024BE91L". */
  key: string;
  /** Sends per second allowed for the key. */
  perSecond: number;
}

// KEYS[1] the key; ARGV[1] ms between sends, ARGV[2] 1 to reserve a turn, 0 to push the key back to ARGV[3]
// ms from now. Returns the wait before the reserved turn (ms).
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
if ARGV[2] == '1' then
  redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', math.max(1, at + tonumber(ARGV[1]) - now + 1000))
  return at - now
end
local until_ = math.max(at, now + tonumber(ARGV[3]))
redis.call('SET', KEYS[1], until_, 'PX', until_ - now + 1000)
return 0`;

export class Pacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keyOf(key: string): string {
    return `${this.prefix}:pace:${key}`;
  }

  /** Reserves the key's next turn; resolves to how long to wait for it (0: now). */
  async reserve(pace: Pace): Promise<number> {
    const wait = await this.redis.eval(SCRIPT, 1, this.keyOf(pace.key), 1000 / pace.perSecond, "1", "0");
    return Number(wait);
  }

  /** The provider said 429: nothing more on this key for `ms`. */
  async backOff(key: string, ms: number): Promise<void> {
    await this.redis.eval(SCRIPT, 1, this.keyOf(key), 0, "0", Math.max(0, Math.round(ms)));
  }
}
