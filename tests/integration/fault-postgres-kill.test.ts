import { seedSmsBurst } from "../helpers/sms-burst.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { startFakeTwilio, type FakeTwilio } from "../fakes/twilio.js";
import { eventually, startTestRuntime, testDatabaseUrl } from "../helpers/runtime.js";

const SID = `AC${"2".repeat(32)}`;
const TOKEN = "twilio-auth-token";
const FROM = "+15550002222";
const TASKS = 200;
// The kills come after these many messages were accepted: early in the burst and in its middle.
const KILL_AFTER = [40, 120];

/**
 * Issue #12, item 1: a failed bookkeeping write after the provider accepted a message must never send it
 * again. Every connection of this file's own database is killed twice while Twilio holds a message whose
 * answer Herald has not had yet, so the "sent" write meets dead connections.
 */
describe("every Postgres connection killed between the provider's acceptance and the 'sent' write", () => {
  let rt: Runtime;
  let twilio: FakeTwilio;
  let admin: pg.Client;
  const kills: { afterAccepted: number; terminated: number }[] = [];

  beforeAll(async () => {
    const url = new URL(testDatabaseUrl());
    const dbName = url.pathname.slice(1);
    // The killer connects to the postgres database, so it survives its own kills.
    url.pathname = "/postgres";
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    twilio = await startFakeTwilio({ accountSid: SID, authToken: TOKEN });
    twilio.hooks.afterAccept = async () => {
      const accepted = twilio.sent.length;
      if (!KILL_AFTER.includes(accepted)) return;
      const { rows } = await admin.query<{ killed: boolean }>(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [dbName],
      );
      kills.push({ afterAccepted: accepted, terminated: rows.filter((r) => r.killed).length });
    };
    rt = await startTestRuntime({
      env: {
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM_NUMBER: FROM,
        TWILIO_API_URL: twilio.url,
        PUBLIC_URL: "https://herald.example.test",
        SMS_RATE_PER_S: "1000",
        LEASE_MS: "3000",
      },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await twilio?.close();
    await admin?.end();
  });

  // What Herald records once Twilio took a message: its answer (queued), or a status callback after it.
  const accepted = new Set(["queued", "sent", "delivered"]);

  /** Reads through the runtime's pool, which the kills empty: a read that meets a dead connection tries again. */
  const settled = async () => {
    try {
      return await rt.db.prisma.delivery.findMany({ where: { channel: "sms" } });
    } catch {
      return null;
    }
  };

  it("sends each of a 200-task burst exactly once and records every one as accepted", async () => {
    const started = Date.now();
    const phones = await seedSmsBurst(rt.db.prisma, TASKS, 3_000_000, "pgkill");

    const rows = await eventually(
      async () => {
        const r = await settled();
        return r && r.length === TASKS && r.every((d) => accepted.has(d.status)) ? r : null;
      },
      "every delivery recorded as accepted by Twilio",
      45_000,
      200,
    );
    // Anything sent again would arrive shortly after the first: give a retry or a takeover the time to show.
    await new Promise((r) => setTimeout(r, 4000));

    expect(kills.map((k) => k.afterAccepted)).toEqual(KILL_AFTER);
    expect(kills.every((k) => k.terminated > 0)).toBe(true);
    const perRecipient = new Map<string, number>();
    for (const m of twilio.sent) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
    const doubled = [...perRecipient.values()].filter((n) => n > 1).length;
    const lost = phones.filter((p) => !perRecipient.has(p)).length;
    console.info(
      `fault-postgres-kill: ${TASKS} deliveries, ${kills.length} kills (${kills.map((k) => k.terminated).join(", ")} connections): ${doubled} doubled, ${lost} lost, ${Date.now() - started} ms`,
    );
    expect({ sent: twilio.sent.length, doubled, lost }).toEqual({ sent: TASKS, doubled: 0, lost: 0 });
    // Each row carries the id Twilio gave its one message, after its one attempt.
    const sids = new Map(twilio.sent.map((m) => [m.to, m.sid]));
    const final = (await settled()) ?? rows;
    expect(final.map((d) => d.providerId === sids.get(d.recipient) && d.attempts === 1)).toEqual(final.map(() => true));
    expect(final.reduce((n, d) => n + d.blindResends, 0)).toBe(0);
  }, 60_000);
});
