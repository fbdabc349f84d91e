import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resumeSlackInbox } from "../../src/bot/slack/index.js";
import { reminderBlocks, slackClient } from "../../src/notify/slack/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack.js";
import { eventually, startTestRuntime } from "../helpers/runtime.js";

const TOKEN = "xoxb-test-token";
const SECRET = "slack-signing-secret";
const id = (p: string) => `${p}${randomBytes(4).toString("hex").toUpperCase()}`;

describe("Slack channel", () => {
  let rt: Runtime;
  let slack: FakeSlack;
  const users: Record<string, { tz: string; name?: string }> = {};

  beforeAll(async () => {
    slack = await startFakeSlack({ token: TOKEN, signingSecret: SECRET, users });
    rt = await startTestRuntime({
      env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl },
      parts: { http: true },
    });
  });
  afterAll(async () => {
    await rt.close();
    await slack.close();
  });

  const newUser = (tz = "Europe/Berlin") => {
    const u = id("U");
    users[u] = { tz, name: `Person ${u}` };
    return u;
  };

  async function post(body: string, contentType: string, headers: Record<string, string> = slack.sign(body)) {
    return fetch(`http://127.0.0.1:${rt.port}/slack/events`, {
      method: "POST",
      headers: { "content-type": contentType, ...headers },
      body,
    });
  }
  const postEvent = (
    event: Record<string, unknown>,
    eventId = id("Ev"),
    headers?: (b: string) => Record<string, string>,
  ) => {
    const body = JSON.stringify({
      type: "event_callback",
      team_id: "T1",
      api_app_id: "A1",
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    return post(body, "application/json", headers ? headers(body) : slack.sign(body));
  };
  const dm = (user: string, text: string) => ({
    type: "message",
    channel_type: "im",
    channel: `D${user}`,
    user,
    text,
    ts: `${Date.now() / 1000}`,
  });
  /** Messages Slack took in a channel (not the calls it refused). */
  const postsTo = (channel: string) =>
    slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel && !c.refused);
  const tasksOf = async (slackUserId: string) => rt.db.prisma.task.findMany({ where: { user: { slackUserId } } });

  it("answers Slack's url_verification challenge", async () => {
    const res = await post(
      JSON.stringify({ type: "url_verification", challenge: "abc123", token: "x" }),
      "application/json",
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "abc123" });
  });

  it("turns a DM into a task in the user's Slack time zone, replies in the DM, and posts the reminder with buttons when due", async () => {
    const user = newUser("Asia/Tokyo");
    const started = Date.now();
    const res = await postEvent(dm(user, "remind me in 2 seconds to stretch"));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);

    const reply = await eventually(() => postsTo(`D${user}`)[0], "the reply in the DM");
    expect(String(reply.args.text)).toMatch(/stretch/);
    const [task] = await tasksOf(user);
    expect(task!.channel).toBe("slack");
    expect(task!.timezone).toBe("Asia/Tokyo");
    expect(slack.callsTo("users.info").some((c) => c.args.user === user)).toBe(true);

    await eventually(
      () => slack.callsTo("conversations.open").find((c) => c.args.users === user),
      "the DM opened for the reminder",
    );
    const reminder = await eventually(
      () => postsTo(`D${user}`).find((c) => Array.isArray(c.args.blocks)),
      "the reminder post",
    );
    expect(String(reminder.args.text)).toMatch(/stretch/);
    const actions = (
      reminder.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === "actions")!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual([
      "herald_done",
      "herald_snooze_10",
      "herald_snooze_60",
      "herald_cancel",
    ]);
    expect(actions.elements!.every((e) => e.value === task!.id)).toBe(true);
    const delivery = await eventually(
      async () => rt.db.prisma.delivery.findFirst({ where: { taskId: task!.id, status: "delivered" } }),
      "the delivery recorded",
    );
    expect(delivery.providerId).toMatch(new RegExp(`^D${user}:`));
  });

  it("answers an @-mention in its thread, without the mention in the request", async () => {
    const user = newUser();
    const ts = `${Math.floor(Date.now() / 1000)}.000200`;
    await postEvent({
      type: "app_mention",
      channel: "C0GENERAL",
      user,
      text: "<@UHERALD> remind me in 1 hour to water the plants",
      ts,
    });
    const reply = await eventually(
      () => postsTo("C0GENERAL").find((c) => c.args.thread_ts === ts),
      "the reply in the thread",
    );
    expect(String(reply.args.text)).toMatch(/water the plants/);
    const [task] = await tasksOf(user);
    expect(task!.title).toBe("water the plants");
  });

  it("handles a retried event (X-Slack-Retry-Num) and a duplicate event id once: one task, one reply", async () => {
    const user = newUser();
    const eventId = id("Ev");
    const event = dm(user, "remind me in 1 hour to call mom");
    const first = await postEvent(event, eventId);
    const retry = await postEvent(event, eventId, (b) => ({
      ...slack.sign(b),
      "x-slack-retry-num": "1",
      "x-slack-retry-reason": "http_timeout",
    }));
    expect([first.status, retry.status]).toEqual([200, 200]);
    await eventually(() => postsTo(`D${user}`).length >= 1, "the reply");
    const again = await postEvent(event, eventId, (b) => ({ ...slack.sign(b), "x-slack-retry-num": "2" }));
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await tasksOf(user)).toHaveLength(1);
    expect(postsTo(`D${user}`)).toHaveLength(1);
    expect(await rt.db.prisma.message.count({ where: { channel: "slack", externalId: { contains: eventId } } })).toBe(
      1,
    );
  });

  it("posts a reply Slack could not take at first once it can, without doing the request twice", async () => {
    const user = newUser();
    // More failures than the Slack client's own retries: Herald's retry of the post is what gets it through.
    slack.unavailableNext("chat.postMessage", 5);
    expect((await postEvent(dm(user, "remind me in 2 hours to water the plants"), id("Ev"))).status).toBe(200);
    await eventually(() => postsTo(`D${user}`).length >= 1, "the reply", 15_000);
    expect(postsTo(`D${user}`)[0]!.args.text).toMatch(/^✓ .*water the plants/);
    await new Promise((r) => setTimeout(r, 500));
    expect(postsTo(`D${user}`)).toHaveLength(1);
    expect(await tasksOf(user)).toHaveLength(1);
  });

  it("does not try again a reply Slack refuses (the channel is gone), and keeps the request's task", async () => {
    const user = newUser();
    slack.failNext("chat.postMessage", "channel_not_found");
    expect((await postEvent(dm(user, "remind me in 2 hours to feed the cat"), id("Ev"))).status).toBe(200);
    await eventually(async () => (await tasksOf(user)).length === 1, "the task");
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.callsTo("chat.postMessage").filter((c) => c.args.channel === `D${user}`)).toHaveLength(1);
    expect(
      await rt.db.prisma.message.count({
        where: { channel: "slack", externalId: { startsWith: "inbox:" }, body: { contains: "feed the cat" } },
      }),
    ).toBe(0);
  });

  it("rejects a request with a bad signature with 401 and stores nothing", async () => {
    const user = newUser();
    const res = await postEvent(dm(user, "remind me in 1 hour to hack"), id("Ev"), (b) => ({
      ...slack.sign(b),
      "x-slack-signature": `v0=${"0".repeat(64)}`,
    }));
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await rt.db.prisma.user.count({ where: { slackUserId: user } })).toBe(0);
  });

  it("answers 400 to a signed request that lacks what Slack always sends, and stores nothing", async () => {
    const user = newUser();
    const before = await rt.db.prisma.message.count({ where: { channel: "slack" } });
    const envelope = (extra: Record<string, unknown>) =>
      JSON.stringify({ type: "event_callback", team_id: "T1", api_app_id: "A1", event_id: id("Ev"), ...extra });
    const cases: [string, string, string][] = [
      ["an event_callback without an event", envelope({}), "application/json"],
      ["an event that is not an object", envelope({ event: "remind me in 1 hour to x" }), "application/json"],
      ["an event that is a list", envelope({ event: [dm(user, "remind me in 1 hour to y")] }), "application/json"],
      [
        "url_verification without a challenge",
        JSON.stringify({ type: "url_verification", token: "x" }),
        "application/json",
      ],
      [
        "a form with neither payload nor command",
        new URLSearchParams({ text: "remind me in 1 hour to z", user_id: user, channel_id: "C1" }).toString(),
        "application/x-www-form-urlencoded",
      ],
      ["a JSON body labelled text/plain", envelope({ event: dm(user, "remind me in 1 hour to w") }), "text/plain"],
      ["JSON that is not an object", JSON.stringify([1, 2]), "application/json"],
    ];
    for (const [what, body, type] of cases) {
      const res = await post(body, type);
      expect([what, res.status]).toEqual([what, 400]);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await rt.db.prisma.message.count({ where: { channel: "slack" } })).toBe(before);
    expect(await rt.db.prisma.user.count({ where: { slackUserId: user } })).toBe(0);
    expect(postsTo(`D${user}`)).toHaveLength(0);
  });

  it("rejects a correctly signed request whose timestamp is more than 5 minutes old with 401", async () => {
    const user = newUser();
    const res = await postEvent(dm(user, "remind me in 1 hour to replay"), id("Ev"), (b) =>
      slack.sign(b, Math.floor(Date.now() / 1000) - 6 * 60),
    );
    expect(res.status).toBe(401);
    expect(await rt.db.prisma.message.count({ where: { body: "remind me in 1 hour to replay" } })).toBe(0);
  });

  it("takes /herald as a request: acks at once and answers through the response_url", async () => {
    const user = newUser();
    const responseUrl = slack.responseUrl(id("cmd"));
    const form = new URLSearchParams({
      command: "/herald",
      text: "remind me in 1 hour to review the PR",
      user_id: user,
      channel_id: "C0DEV",
      team_id: "T1",
      trigger_id: id("trig"),
      response_url: responseUrl,
    }).toString();
    const res = await post(form, "application/x-www-form-urlencoded");
    expect(res.status).toBe(200);
    const answer = await eventually(
      () => slack.responses.find((r) => responseUrl.endsWith(r.path)),
      "the response_url answer",
    );
    expect(String(answer.body.text)).toMatch(/review the PR/i);
    expect(await tasksOf(user)).toHaveLength(1);
  });

  it("routes /sitrep to the ops handler and posts its answer in the channel", async () => {
    const responseUrl = slack.responseUrl(id("sitrep"));
    const form = new URLSearchParams({
      command: "/sitrep",
      text: "24h",
      user_id: newUser(),
      channel_id: "C0OPS",
      team_id: "T1",
      trigger_id: id("trig"),
      response_url: responseUrl,
    }).toString();
    expect((await post(form, "application/x-www-form-urlencoded")).status).toBe(200);
    const answer = await eventually(
      () => slack.responses.find((r) => responseUrl.endsWith(r.path)),
      "the sitrep answer",
    );
    expect(answer.body.response_type).toBe("in_channel");
    expect(typeof answer.body.text).toBe("string");
  });

  async function click(user: string, action: string, taskId: string) {
    const responseUrl = slack.responseUrl(id("act"));
    const payload = {
      type: "block_actions",
      team: { id: "T1" },
      user: { id: user },
      channel: { id: `D${user}` },
      trigger_id: id("trig"),
      response_url: responseUrl,
      message: { text: "⏰ reminder", ts: "1.2" },
      actions: [{ type: "button", action_id: action, value: taskId, block_id: "b", action_ts: "1.3" }],
    };
    const res = await post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      "application/x-www-form-urlencoded",
    );
    expect(res.status).toBe(200);
    return eventually(() => slack.responses.find((r) => responseUrl.endsWith(r.path)), "the button's answer");
  }

  it("Snooze 10 min moves the reminder to 10 minutes from now and replaces the buttons with the outcome", async () => {
    const user = newUser();
    await postEvent(dm(user, "remind me in 1 hour to stand up"));
    const task = await eventually(async () => (await tasksOf(user))[0], "the task");
    const before = Date.now();
    const answer = await click(user, "herald_snooze_10", task.id);
    expect(answer.body.replace_original).toBe(true);
    expect(String(answer.body.text)).toMatch(/Snoozed/);
    const after = await rt.tasks.get(task.id);
    expect(after!.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1000);
    expect(after!.nextRunAt!.getTime()).toBeLessThan(before + 11 * 60_000);
  });

  it("Cancel cancels the task; a click on someone else's task changes nothing", async () => {
    const owner = newUser();
    const stranger = newUser();
    await postEvent(dm(owner, "remind me in 1 hour to pay rent"));
    await postEvent(dm(stranger, "remind me in 1 hour to something else"));
    const task = await eventually(async () => (await tasksOf(owner))[0], "the task");
    await eventually(async () => (await tasksOf(stranger))[0], "the stranger's task");
    const denied = await click(stranger, "herald_cancel", task.id);
    expect(String(denied.body.text)).toMatch(/couldn't find/);
    expect((await rt.tasks.get(task.id))!.status).toBe("scheduled");
    await click(owner, "herald_cancel", task.id);
    expect((await rt.tasks.get(task.id))!.status).toBe("cancelled");
  });

  it("ignores the bot's own messages and edited messages: nothing stored, nothing posted", async () => {
    const user = newUser();
    const own = await postEvent({ ...dm(user, "⏰ stretch"), bot_id: "BHERALD", user: "UHERALD" });
    const edit = await postEvent({ ...dm(user, "remind me in 1 hour to edit"), subtype: "message_changed" });
    expect([own.status, edit.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 400));
    expect(
      await rt.db.prisma.message.count({
        where: { channel: "slack", body: { in: ["⏰ stretch", "remind me in 1 hour to edit"] } },
      }),
    ).toBe(0);
    expect(postsTo(`D${user}`)).toHaveLength(0);
  });

  it("offers Skip this one and Stop all for a recurring task: Skip moves it one occurrence on, Stop all cancels it", async () => {
    const user = newUser("UTC");
    await postEvent(dm(user, "remind me every day at 9am to stand up"));
    const task = await eventually(async () => (await tasksOf(user))[0], "the recurring task");
    expect(task.rrule).toMatch(/FREQ=DAILY/);
    const blocks = reminderBlocks("⏰ stand up", { id: task.id, recurring: true }) as {
      type: string;
      elements?: { action_id: string }[];
    }[];
    expect(blocks[1]!.elements!.map((e) => e.action_id)).toEqual([
      "herald_done",
      "herald_snooze_10",
      "herald_snooze_60",
      "herald_skip",
      "herald_stop",
    ]);

    await click(user, "herald_skip", task.id);
    const skipped = (await rt.tasks.get(task.id))!;
    expect(skipped.nextRunAt!.getTime() - task.nextRunAt!.getTime()).toBe(24 * 3600_000);
    expect(skipped.status).toBe("scheduled");
    await click(user, "herald_stop", task.id);
    expect((await rt.tasks.get(task.id))!.status).toBe("cancelled");
  });

  it("resumes a request that was recorded and acked but never handled (a crash after the ack)", async () => {
    const user = newUser();
    const key = id("Ev");
    const request = {
      key,
      kind: "dm" as const,
      userId: user,
      text: "remind me in 1 hour to resume work",
      channel: `D${user}`,
    };
    const inboxId = await rt.messages.recordPending(
      "slack",
      key,
      request.text,
      request,
      new Date(Date.now() - 120_000),
    );
    expect(inboxId).toBeTruthy();
    const resumed = await resumeSlackInbox(
      { conversation: rt.conversation, messages: rt.messages, logger: rt.logger },
      slackClient({ botToken: TOKEN, apiUrl: slack.apiUrl }),
      new Date(Date.now() - 60_000),
    );
    expect(resumed).toBe(1);
    expect(await tasksOf(user)).toHaveLength(1);
    expect(postsTo(`D${user}`)).toHaveLength(1);
    expect(await rt.db.prisma.message.count({ where: { externalId: `inbox:${key}` } })).toBe(0);
    expect((await rt.db.prisma.message.findFirstOrThrow({ where: { channel: "slack", externalId: key } })).status).toBe(
      "handled",
    );
  });
});
