import type { Config } from "../config/index.js";
import type { Logger } from "../log/index.js";
import type { Redis } from "../redis/index.js";
import { ConsoleSender } from "./console.js";
import type { Sender } from "./types.js";

/** The senders for every configured channel; the console is always there. */
export function configuredSenders(_config: Config, redis: Redis, prefix: string, _logger: Logger): Sender[] {
  return [new ConsoleSender(redis, prefix)];
}
