import { App, LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import { HeraldError } from "../../errors/index.js";
import type { HttpServer } from "../../http/index.js";
import type { Logger } from "../../log/index.js";
import {
  APPROVE_ACTION_ID,
  parseAction,
  REJECT_ACTION_ID,
  type SlackSettings,
  slackClient,
} from "../../notify/slack/index.js";
import type { ChannelDeps } from "../channel.js";
import { actOnReminder } from "../reminders.js";
import { converse, type Inbound, resumeSlackInbox } from "./converse.js";
import { HeraldReceiver } from "./receiver.js";
import { conversationOf } from "./requests.js";

export type SlackDeps = Omit<ChannelDeps, "deliveryStatus">;

/** Requests not handled within this long are taken to be lost with their process, and resumed. */
const RESUME_AFTER_MS = 60_000;

/**
 * Mounts POST /slack/events (events, slash commands and interactivity, all verified with the signing
 * secret) and starts the resume loop for requests a crash left unhandled.
 */
export function mountSlack(http: HttpServer, d: SlackDeps, s: SlackSettings): () => void {
  const token = s.botToken;
  const client = slackClient(s);

  const receiver = new HeraldReceiver({
    signingSecret: s.signingSecret,
    logger: d.logger,
    // Recorded before the ack, so a crash after acking loses nothing; a retry finds it and is only acked.
    beforeDispatch: async (body, retryNum) => {
      const request = conversationOf(body);
      if (!request) return {};
      const receivedAt = new Date();
      const id = await d.messages.recordPending("slack", request.key, request.text, request, receivedAt);
      if (!id) {
        d.logger.info({ key: request.key, retryNum }, "Slack request seen before; acked, not handled again");
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
        d.logger.warn({ err: err.message }, "Slack auth.test failed; check SLACK_BOT_TOKEN and SLACK_API_URL");
        return {};
      },
    );
    return { botToken: token, ...(await ids) };
  };

  const app = new App({
    authorize,
    receiver,
    clientOptions: { slackApiUrl: client.slackApiUrl },
    logger: boltLogger(d.logger),
    logLevel: LogLevel.DEBUG,
  });
  const work = async (inbound: unknown) => {
    if (inbound) await converse(d, client, inbound as Inbound);
  };

  app.event("message", async ({ context }) => work(context.heraldInbound));
  app.event("app_mention", async ({ context }) => work(context.heraldInbound));
  app.command("/herald", async ({ ack, context }) => {
    await ack();
    await work(context.heraldInbound);
  });
  app.command("/sitrep", async ({ ack, command, respond }) => {
    await ack();
    const out = await d.sitrepCommand({
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
      const out = await d.approval({
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
    const user = await d.users.bySlackId(body.user.id);
    let result: string;
    try {
      if (!user) throw new HeraldError("herald_user_unknown", "I don't know you yet: send me a DM first.");
      result = await actOnReminder(d.tasks, user.id, taskId, verb);
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
    d.logger.error({ err: err.message, code: err.code }, "Slack handler failed");
  });

  http.route("POST", "/slack/events", receiver.handler);

  const resume = () =>
    void resumeSlackInbox(d, client, new Date(Date.now() - RESUME_AFTER_MS)).catch((err: Error) =>
      d.logger.warn({ err: err.message }, "resuming Slack requests failed"),
    );
  const first = setTimeout(resume, 1_000);
  const every = setInterval(resume, RESUME_AFTER_MS / 2);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
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
