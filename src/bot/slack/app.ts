import { App, LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { HttpServer } from "../../http/index.js";
import { HeraldError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";
import { slackClient } from "../../notify/slack.js";
import { parseAction } from "../../notify/slackBlocks.js";
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, handleApprovalAction, handleSitrepCommand } from "../../ops/index.js";
import type { Runtime } from "../../runtime/index.js";
import { actOnReminder } from "../reminders.js";
import { converse, resumeSlackInbox, type Inbound } from "./converse.js";
import { recordInbound } from "./inbox.js";
import { HeraldReceiver } from "./receiver.js";
import { conversationOf } from "./requests.js";

/** Requests not handled within this long are taken to be lost with their process, and resumed. */
const RESUME_AFTER_MS = 60_000;

/**
 * Mounts POST /slack/events (events, slash commands and interactivity, all verified with the signing
 * secret) and starts the resume loop for requests a crash left unhandled.
 */
export function mountSlack(http: HttpServer, rt: Runtime): void {
  const { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: secret, SLACK_API_URL: apiUrl } = rt.config;
  if (!token || !secret)
    throw new HeraldError("herald_slack_config", "Slack needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET");
  const client = slackClient(token, apiUrl);

  const receiver = new HeraldReceiver({
    signingSecret: secret,
    logger: rt.logger,
    // Recorded before the ack, so a crash after acking loses nothing; a retry finds it and is only acked.
    beforeDispatch: async (body, retryNum) => {
      const request = conversationOf(body);
      if (!request) return {};
      const receivedAt = new Date();
      const id = await recordInbound(rt.db.pool, request, receivedAt);
      if (!id) {
        rt.logger.info({ key: request.key, retryNum }, "Slack request seen before; acked, not handled again");
        return "duplicate";
      }
      return { heraldInbound: { id, request, receivedAt } satisfies Inbound };
    },
  });

  // Our own authorize instead of `token`: Bolt's token mode calls auth.test before every ack when it can't
  // verify at startup; this calls it once, and a failure only costs ignoreSelf its bot id for that event.
  let ids: Promise<{ botId?: string; botUserId?: string }> | undefined;
  const authorize = async () => {
    ids ??= client.auth.test().then(
      (r) => ({ botId: r.bot_id, botUserId: r.user_id }),
      (err: Error) => {
        ids = undefined;
        rt.logger.warn({ err: err.message }, "Slack auth.test failed; check SLACK_BOT_TOKEN and SLACK_API_URL");
        return {};
      },
    );
    return { botToken: token, ...(await ids) };
  };

  const app = new App({
    authorize,
    receiver,
    clientOptions: { slackApiUrl: client.slackApiUrl },
    logger: boltLogger(rt.logger),
    logLevel: LogLevel.DEBUG,
  });
  const work = async (inbound: unknown) => {
    if (inbound) await converse(rt, client, inbound as Inbound);
  };

  app.event("message", async ({ context }) => work(context.heraldInbound));
  app.event("app_mention", async ({ context }) => work(context.heraldInbound));
  app.command("/herald", async ({ ack, context }) => {
    await ack();
    await work(context.heraldInbound);
  });
  app.command("/sitrep", async ({ ack, command, respond }) => {
    await ack();
    const out = await handleSitrepCommand(rt, {
      text: command.text,
      channelId: command.channel_id,
      userId: command.user_id,
    });
    await respond({
      response_type: "in_channel",
      text: out.text,
      ...(out.blocks ? { blocks: out.blocks as never[] } : {}),
    });
  });
  app.action(/^herald_/, async ({ ack, action, body, respond }) => {
    await ack();
    // Approve / Reject on an approval request in the ops channel (posted by src/ops/approvals.ts).
    if (
      "action_id" in action &&
      (action.action_id === APPROVE_ACTION_ID || action.action_id === REJECT_ACTION_ID) &&
      "value" in action &&
      action.value
    ) {
      const out = await handleApprovalAction(rt, {
        action: action.action_id === APPROVE_ACTION_ID ? "approve" : "reject",
        taskId: action.value,
        userId: body.user.id,
      });
      await respond({ replace_original: true, text: out.text });
      return;
    }
    const verb = "action_id" in action ? parseAction(action.action_id) : null;
    const taskId = "value" in action ? action.value : undefined;
    if (!verb || !taskId) return;
    const user = await rt.db.prisma.user.findUnique({ where: { slackUserId: body.user.id } });
    let result: string;
    try {
      if (!user) throw new HeraldError("herald_user_unknown", "I don't know you yet: send me a DM first.");
      result = await actOnReminder(
        { prisma: rt.db.prisma, tasks: rt.tasks, timers: rt.timers, now: () => new Date() },
        user.id,
        taskId,
        verb,
      );
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      result = err.message;
    }
    // Replace the reminder with its text and the outcome, so its buttons can't be pressed twice.
    const original = (body as { message?: { text?: string } }).message?.text ?? "";
    await respond({
      replace_original: true,
      text: `${original}\n${result}`,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: original || "Reminder" } },
        { type: "context", elements: [{ type: "mrkdwn", text: result }] },
      ],
    });
  });
  app.error(async (err) => {
    rt.logger.error({ err: err.message, code: err.code }, "Slack handler failed");
  });

  http.route("POST", "/slack/events", receiver.handler);

  const resume = () =>
    void resumeSlackInbox(rt, client, new Date(Date.now() - RESUME_AFTER_MS)).catch((err: Error) =>
      rt.logger.warn({ err: err.message }, "resuming Slack requests failed"),
    );
  const first = setTimeout(resume, 1_000);
  const every = setInterval(resume, RESUME_AFTER_MS / 2);
  first.unref();
  every.unref();
  http.server.once("close", () => {
    clearTimeout(first);
    clearInterval(every);
  });
}

/** Bolt's logger interface over ours; Bolt logs bodies at debug, which pino keeps out of info logs. */
function boltLogger(l: Logger): BoltLogger {
  const line = (m: unknown[]) =>
    m.map((x) => (typeof x === "string" ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(" ");
  return {
    debug: (...m) => l.debug({ component: "bolt" }, line(m)),
    info: (...m) => l.info({ component: "bolt" }, line(m)),
    warn: (...m) => l.warn({ component: "bolt" }, line(m)),
    error: (...m) => l.error({ component: "bolt" }, line(m)),
    setLevel: () => {},
    getLevel: () => LogLevel.DEBUG,
    setName: () => {},
  };
}
