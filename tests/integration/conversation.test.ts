import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offlineInterpreter } from "../../src/ai/index.js";
import { Conversation, type Users } from "../../src/bot/index.js";
import { silentLogger } from "../../src/log/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

/** Conversations through the one handler, as any channel drives it, with the offline interpreter. */
describe("conversation", () => {
  let rt: Runtime;
  // Friday 2026-03-06 10:15 in New York.
  const friday = new Date("2026-03-06T15:15:00Z");
  let clock = friday;

  beforeAll(async () => {
    rt = await startTestRuntime({
      env: { DEFAULT_TIMEZONE: "America/New_York" },
      parts: { worker: false },
      overrides: { now: () => clock },
    });
  });
  afterAll(async () => rt.close());

  const chat =
    (user: string) =>
    async (text: string, at: Date = clock) => {
      const out = await rt.conversation.handle({
        channel: "console",
        text,
        identity: { consoleName: user },
        receivedAt: at,
        externalId: unique("m"),
      });
      if (out.duplicate) throw new Error("unexpected duplicate");
      return out.reply.text;
    };
  const tasksOf = async (user: string) =>
    rt.db.prisma.task.findMany({ where: { user: { consoleName: user } }, orderBy: { createdAt: "asc" } });

  it("audits what users do themselves: create, cancel and undo, with the user as the actor", async () => {
    const user = unique("audited");
    const say = chat(user);
    await say("remind me tomorrow at 9am to water the plants");
    const [t] = await tasksOf(user);
    await say("cancel the plants reminder");
    await say("undo");
    const trail = await rt.db.prisma.auditLog.findMany({ where: { taskId: t!.id }, orderBy: { at: "asc" } });
    expect(trail.map((e) => [e.actor, e.action])).toEqual([
      [`user:${t!.userId}`, "create"],
      [`user:${t!.userId}`, "cancel"],
      [`user:${t!.userId}`, "restore"],
    ]);
    expect((await rt.tasks.get(t!.id))!.status).toBe("scheduled");
  });

  it("asks for a missing time, completes the draft with the answer, and undoes it", async () => {
    const user = unique("draft");
    const say = chat(user);
    expect(await say("remind me to call mom")).toMatch(/^When should I remind you to call mom\?/);
    expect(await tasksOf(user)).toHaveLength(0);

    // The first reminder also says which zone its times are in.
    expect(await say("tomorrow at 5pm")).toBe(
      `✓ I'll remind you to call mom tomorrow (Sat, Mar 7) at 5:00 PM (times are in America/New_York; say "my time zone is …" to change it). Reply "undo" to cancel.`,
    );
    const [task] = await tasksOf(user);
    expect(task!.status).toBe("scheduled");
    expect(task!.nextRunAt!.toISOString()).toBe("2026-03-07T22:00:00.000Z");

    expect(await say("undo")).toBe("✓ Undone: I won't remind you to call mom.");
    expect((await tasksOf(user))[0]!.status).toBe("cancelled");
  });

  it("lists reminders numbered and cancels one by its number", async () => {
    const user = unique("list");
    const say = chat(user);
    await say("remind me tomorrow at 9am to water the plants");
    await say("remind me on monday at 3pm to call the bank");
    const list = await say("what are my reminders");
    expect(list).toContain("1. water the plants: tomorrow (Sat, Mar 7) at 9:00 AM");
    expect(list).toContain("2. call the bank: on Mon, Mar 9 at 3:00 PM");
    expect(await say("cancel 2")).toBe(`✓ Cancelled "call the bank". Reply "undo" to bring it back.`);
    const statuses = (await tasksOf(user)).map((t) => [t.title, t.status]);
    expect(statuses).toEqual([
      ["water the plants", "scheduled"],
      ["call the bank", "cancelled"],
    ]);
  });

  it("stores a recurring request as an RRULE in the user's zone", async () => {
    const user = unique("rec");
    const say = chat(user);
    expect(await say("every weekday at 8am remind me to stand up")).toMatch(/^✓ I'll remind you to stand up every/);
    const [task] = await tasksOf(user);
    expect(task!.rrule).toMatch(/FREQ=WEEKLY/);
    expect(task!.rrule).toMatch(/BYDAY=MO,TU,WE,TH,FR/);
    expect(task!.timezone).toBe("America/New_York");
    expect(task!.nextRunAt!.toISOString()).toBe("2026-03-09T12:00:00.000Z"); // Monday 08:00 EDT
  });

  it("refuses a recurrence more often than every 5 minutes, storing nothing", async () => {
    const user = unique("often");
    expect(await chat(user)("remind me every minute to blink")).toMatch(/more often than every 5 minutes/);
    expect(await tasksOf(user)).toHaveLength(0);
  });

  it("refuses a request longer than 2,000 characters with a clear reply", async () => {
    const user = unique("long");
    expect(await chat(user)(`remind me ${"a".repeat(2100)}`)).toMatch(/I read up to 2000/);
    expect(await tasksOf(user)).toHaveLength(0);
  });

  it("answers small talk helpfully without creating a task", async () => {
    const user = unique("talk");
    expect(await chat(user)("what's the weather like")).toMatch(/remind me tomorrow at 9 to call mom/);
    expect(await tasksOf(user)).toHaveLength(0);
  });

  it("handles the same inbound message id once", async () => {
    const user = unique("dup");
    const msg = {
      channel: "console" as const,
      text: "remind me tomorrow at 9am to stretch",
      identity: { consoleName: user },
      receivedAt: clock,
      externalId: unique("same"),
    };
    const first = await rt.conversation.handle(msg);
    const second = await rt.conversation.handle(msg);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(await tasksOf(user)).toHaveLength(1);
  });

  it("writes a turn whole or not at all: an attempt cut short leaves nothing, and the next one answers once", async () => {
    // Postgres going away between a turn's writes: here, after its task and before its dialogue state.
    let cutShort = true;
    const users = new Proxy(rt.users, {
      get(target, key) {
        if (key === "saveState" && cutShort)
          return async () => {
            cutShort = false;
            throw new Error("Connection terminated unexpectedly");
          };
        const v = Reflect.get(target, key) as unknown;
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as Users;
    const conversation = new Conversation({
      prisma: rt.db.prisma,
      tasks: rt.tasks,
      users,
      messages: rt.messages,
      interpreter: offlineInterpreter,
      logger: silentLogger,
    });
    const user = unique("cut");
    const msg = {
      channel: "console",
      text: "remind me tomorrow at 9am to renew the passport",
      identity: { consoleName: user },
      receivedAt: clock,
      externalId: unique("cut"),
    };
    await expect(conversation.handle(msg)).rejects.toThrow("Connection terminated unexpectedly");
    expect(await tasksOf(user)).toHaveLength(0);
    expect(await rt.messages.seen("console", msg.externalId)).toBe(false);

    const retried = await conversation.handle(msg);
    expect(retried.duplicate).toBe(false);
    expect(retried.duplicate === false && retried.reply.text).toMatch(/^✓ .*renew the passport/);
    expect(await tasksOf(user)).toHaveLength(1);
    expect((await conversation.handle(msg)).duplicate).toBe(true);
    expect(await tasksOf(user)).toHaveLength(1);
  });

  it("decides a turn again when another message of the user's changed the dialogue meanwhile", async () => {
    // "at 5pm" is read first but interpreted slowly; "remind me to call mom" is decided and written in the
    // meantime, asking when. The slow turn then finds the state moved, and answers the question.
    const slowly: typeof offlineInterpreter = {
      async interpret(text, ctx) {
        if (text === "at 5pm") await new Promise((r) => setTimeout(r, 400));
        return offlineInterpreter.interpret(text, ctx);
      },
    };
    const conversation = new Conversation({
      prisma: rt.db.prisma,
      tasks: rt.tasks,
      users: rt.users,
      messages: rt.messages,
      interpreter: slowly,
      logger: silentLogger,
    });
    const user = unique("quick");
    const msg = (text: string) => ({
      channel: "console",
      text,
      identity: { consoleName: user },
      receivedAt: clock,
      externalId: unique("quick"),
    });
    await conversation.handle(msg("hello")); // the user exists before both messages are read
    const second = conversation.handle(msg("at 5pm"));
    await new Promise((r) => setTimeout(r, 100));
    const first = await conversation.handle(msg("remind me to call mom"));
    expect(first.duplicate === false && first.reply.text).toMatch(/^When should I remind you to call mom\?/);
    const answered = await second;
    expect(answered.duplicate === false && answered.reply.text).toMatch(/^✓ .*call mom/);
    const tasks = await tasksOf(user);
    expect(tasks.map((t) => [t.title, t.runAt?.toISOString()])).toEqual([["call mom", "2026-03-06T22:00:00.000Z"]]);
  });

  it("changes the user's time zone and resolves later times in it", async () => {
    const user = unique("tz");
    const say = chat(user);
    expect(await say("my time zone is Europe/Berlin")).toMatch(/^✓ Your time zone is now Europe\/Berlin/);
    await say("remind me tomorrow at 9am to buy bread");
    const [task] = await tasksOf(user);
    expect(task!.nextRunAt!.toISOString()).toBe("2026-03-07T08:00:00.000Z");
  });

  it("snoozes the reminder it was just told about", async () => {
    const user = unique("snooze");
    const say = chat(user);
    await say("remind me at 11am to take a break");
    clock = new Date("2026-03-06T16:05:00Z");
    expect(await say("snooze 10 min")).toBe('✓ Snoozed "take a break" until today at 11:15 AM (in 10 minutes).');
    clock = friday;
  });
});
