import { ProviderError } from "../../errors/index.js";
import type { Redis } from "../../redis/index.js";
import type { OutboundAdapter, OutboundMessage, SendResult, Sender } from "../types.js";

/** The Redis pub/sub channel a console session listens on; workers in other processes publish to it. */
export const consoleTopic = (prefix: string, user: string) => `${prefix}:console:${user}`;

/**
 * Delivers to `herald chat` sessions, in this process or another, over Redis pub/sub. With no session
 * open for that user the send fails and is retried, so a reminder waits for the user to come back.
 */
export class ConsoleSender implements Sender {
  readonly channel = "console";
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    const payload = JSON.stringify({ id: m.deliveryId, body: m.body });
    const listeners = await this.redis.publish(consoleTopic(this.prefix, m.recipient), payload);
    if (listeners === 0)
      throw new ProviderError("retryable", `no console session is open for ${m.recipient}`, { provider: "console" });
    return { status: "delivered", providerId: m.deliveryId };
  }
}

/** The console's outbound side, for the channel registry. */
export const consoleOutbound: OutboundAdapter<Record<string, never>> = {
  sender: (_settings, deps) => new ConsoleSender(deps.redis, deps.prefix),
};
