import type { OutboundAdapter } from "../types.js";
import { slackClient, type SlackSettings } from "./client.js";
import { SlackSender } from "./sender.js";

export { slackClient, type SlackSettings } from "./client.js";
export { classifySlackError } from "./sender.js";
export {
  reminderBlocks,
  parseAction,
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  type ReminderAction,
} from "./blocks.js";

/** Slack's outbound side, for the channel registry. */
export const slackOutbound: OutboundAdapter<SlackSettings> = {
  sender: (s, deps) => new SlackSender(slackClient(s), deps.logger, s.channelRatePerS ?? 1),
};
