import type { SlackSettings } from "../../notify/slack/index.js";
import type { InboundAdapter } from "../types.js";
import { mountSlack, type SlackDeps } from "./app.js";

export { resumeSlackInbox } from "./converse.js";
export { slackSignature, verifySlackRequest } from "./verify.js";

/** Slack's inbound side (events, commands, interactivity on POST /slack/events), for the channel registry. */
export const slackInbound: InboundAdapter<SlackSettings, SlackDeps> = { mount: mountSlack };
