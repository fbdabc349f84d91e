import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { launchBrowser } from "../helpers/browser.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const TOKEN = "browser-admin-token-0123456789";
/** Screenshots for review, written on every run (gitignored). */
const SHOTS = fileURLToPath(new URL("../../test-results/admin/", import.meta.url));

/**
 * The admin console in a real headless browser: every action by click, nothing running off the page at a
 * desktop or a phone width, and a screenshot of each page. The only browser test file, so no two unpack
 * Chromium at once.
 */
describe("admin console in a browser", () => {
  let rt: Runtime;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    rt = await startTestRuntime({ env: { ADMIN_TOKEN: TOKEN }, parts: { worker: false, http: true } });
    base = `http://127.0.0.1:${rt.port}`;
    browser = await launchBrowser();
    await seed();
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  let owner: { id: string; name: string | null };
  /** A day of history: runs and deliveries over the last hours, a worker, a failed SMS. */
  async function seed() {
    const p = rt.db.prisma;
    owner = await p.user.create({ data: { timezone: "America/New_York", name: unique("Robin") } });
    const daily = await rt.tasks.create({
      userId: owner.id,
      title: "standup notes",
      instruction: "summarise",
      when: {
        rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0",
        dtstart: new Date("2026-01-05T13:00:00Z"),
      },
      timezone: "America/New_York",
      channel: "console",
    });
    for (let i = 1; i <= 12; i++) {
      const at = new Date(Date.now() - i * 3_600_000);
      const run = await p.taskRun.create({
        data: {
          taskId: daily.id,
          occurrence: at,
          startedAt: at,
          finishedAt: new Date(at.getTime() + 400 + i * 10),
          lateMs: 20 * i,
          status: i % 5 === 0 ? "failed" : "succeeded",
          error: i % 5 === 0 ? "model timed out" : null,
        },
      });
      await p.delivery.create({
        data: {
          runId: run.id,
          taskId: daily.id,
          userId: owner.id,
          channel: i % 4 === 0 ? "sms" : "console",
          recipient: i % 4 === 0 ? "+15550001234" : "robin",
          body: "notes",
          status: i % 4 === 0 ? "undelivered" : "delivered",
          error: i % 4 === 0 ? "carrier: 30003 unreachable handset" : null,
          createdAt: at,
        },
      });
    }
    await rt.db.pool.query(
      `INSERT INTO workers (id, host, pid, roles, started_at, heartbeat_at, in_flight, processed) VALUES ($1, 'worker-a', 4242, 'fire,deliver,scheduler', now() - interval '2 hours', now(), 3, 1234)`,
      [unique("w")],
    );
  }

  async function task(title: string, over: { audience?: string; minutes?: number } = {}) {
    return rt.tasks.create({
      userId: owner.id,
      title,
      instruction: `${title}, please`,
      when: { runAt: new Date(Date.now() + (over.minutes ?? 180) * 60_000) },
      timezone: "UTC",
      channel: "console",
      audience: over.audience,
    });
  }

  async function signedIn(width = 1280, height = 900): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    await page.goto(`${base}/admin?token=${TOKEN}`);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
  /** Nothing runs off the right edge of the page. */
  const fits = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1);
  const flash = (page: Page) => page.getByRole("status").textContent();

  it("signs in with the token, refusing a wrong one, with an HttpOnly cookie that is not the token", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    await page.getByLabel("Admin token").fill("wrong-token-wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token is not right.");
    await shot(page, "01-sign-in");
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === "herald_admin")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).not.toContain(TOKEN);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    await context.close();
  });

  it("shows the dashboard: the sitrep at a glance, charts, approvals, failed deliveries, workers and recent runs", async () => {
    const held = await task(unique("text the night shift"), { audience: "+15550005555" });
    const page = await signedIn();
    for (const name of ["At a glance", "Charts", /Waiting for approval/, "Failed deliveries", "Workers", "Recent runs"])
      await page.getByRole("heading", { name }).waitFor();
    expect(await page.locator("svg[role=img]").count()).toBe(2);
    expect(await page.locator(`[aria-label^="Fired, delivered and failed"] circle`).count()).toBe(3 * 24);
    expect(await page.locator("section[aria-labelledby=workers]").textContent()).toContain("worker-a");
    expect(await page.locator("section[aria-labelledby=failed]").textContent()).toContain("30003 unreachable handset");
    expect(
      await page.locator(`section[aria-labelledby="pending"] tr[data-task-id="${held.id}"]`).textContent(),
    ).toContain(owner.name!);
    expect(await fits(page)).toBe(true);
    await shot(page, "02-dashboard");
    // Live refresh replaces the live part in place.
    await page.evaluate(() => {
      document.getElementById("live")!.setAttribute("data-old", "1");
    });
    await expect.poll(() => page.locator("#refreshed").textContent(), { timeout: 15_000 }).not.toBe("—");
    await page.getByRole("link", { name: "7d", exact: true }).click();
    expect(await page.locator(`[aria-label^="Fired, delivered and failed"] circle`).count()).toBe(3 * 7);
    await page.context().close();
  });

  it("shows times in the zone the operator picks, and schedules in words beside their RRULE", async () => {
    const page = await signedIn();
    await page.goto(`${base}/admin/tasks?text=standup`);
    await page.getByLabel("Time zone").selectOption("America/New_York");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    const row = page.locator("section[aria-labelledby=search] tr", { hasText: "standup notes" });
    const text = await row.textContent();
    expect(text).toContain("every weekday at 8:00 AM America/New_York");
    expect(text).toContain("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0");
    expect(text).toMatch(/ 08:00 E[SD]T/);
    expect(text).toContain(owner.name!);
    expect(await fits(page)).toBe(true);
    await shot(page, "03-tasks-in-new-york-time");
    await page.context().close();
  });

  it("approves from the dashboard and rejects from a task's page by click; the rejected task is rejected", async () => {
    const a = await task(unique("remind the team"), { audience: "+15550006666" });
    const b = await task(unique("text everyone"), { audience: "+15550007777" });
    const page = await signedIn();
    await page
      .locator(`section[aria-labelledby="pending"] tr[data-task-id="${a.id}"]`)
      .getByRole("button", { name: "Approve" })
      .click();
    await expect.poll(() => flash(page)).toBe(`Approved "${a.title}".`);
    expect((await rt.tasks.get(a.id))!.status).toBe("scheduled");
    expect((await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: a.id, action: "approve" } })).actor).toBe(
      "admin:web",
    );

    await page.getByPlaceholder("title or instruction").first().fill(b.title);
    await page.getByRole("button", { name: "Search" }).first().click();
    await page.locator("section[aria-labelledby=search]").getByRole("link", { name: b.title, exact: true }).click();
    await page.getByRole("heading", { name: b.title }).waitFor();
    await page.getByPlaceholder("reason (optional)").fill("too broad");
    await page.getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => flash(page)).toBe(`Rejected "${b.title}".`);
    expect((await rt.tasks.get(b.id))!).toMatchObject({ status: "rejected", nextRunAt: null });
    expect(await page.locator("table").last().textContent()).toContain("too broad");
    await shot(page, "04-task-rejected");
    await page.context().close();
  });

  it("pauses, resumes, reschedules, sets the cut-off, runs now and cancels a task by click", async () => {
    const t = await task(unique("water the ferns"));
    const page = await signedIn(390, 844);
    await page.goto(`${base}/admin/tasks/${t.id}`);
    const click = async (name: string, expected: string) => {
      await page.getByRole("button", { name, exact: true }).click();
      await expect.poll(() => flash(page)).toBe(expected);
    };
    await click("Pause", `Paused "${t.title}".`);
    expect((await rt.tasks.get(t.id))!.status).toBe("paused");
    await click("Resume", `Resumed "${t.title}".`);
    const at = new Date(Date.now() + 5 * 3_600_000);
    at.setUTCSeconds(0, 0);
    await page.getByLabel("new time").fill(at.toISOString());
    await click("Reschedule", `Rescheduled "${t.title}".`);
    expect((await rt.tasks.get(t.id))!.nextRunAt).toEqual(at);
    await page.getByLabel("give up failures after").fill("45");
    await click("Set cut-off", `Set the cut-off of "${t.title}".`);
    expect((await rt.tasks.get(t.id))!.usefulForMs).toBe(45 * 60_000);
    expect(await fits(page)).toBe(true);
    await shot(page, "05-task-detail-phone");
    await click("Run now", `Running "${t.title}" now.`);
    await click("Cancel", `Cancelled "${t.title}".`);
    expect((await rt.tasks.get(t.id))!.status).toBe("cancelled");
    const actions = await rt.db.prisma.auditLog.findMany({ where: { taskId: t.id }, orderBy: { at: "asc" } });
    expect(actions.map((x) => x.action)).toEqual([
      "create",
      "pause",
      "resume",
      "reschedule",
      "set_cutoff",
      "run",
      "cancel",
    ]);
    await page.context().close();
  });

  it("previews a bulk pause as a count and runs it by click", async () => {
    const tag = unique("bulk");
    const made = [await task(`${tag} one`), await task(`${tag} two`), await task(`${tag} three`)];
    const page = await signedIn();
    await page.goto(`${base}/admin/tasks?text=${tag}`);
    await page.getByLabel("action", { exact: true }).selectOption("pause");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("heading", { name: "Bulk pause" }).waitFor();
    expect(await page.getByRole("note").textContent()).toContain("This will pause 3 tasks");
    for (const t of made) expect((await rt.tasks.get(t.id))!.status).toBe("scheduled");
    await shot(page, "06-bulk-preview");
    await page.getByRole("button", { name: "Pause 3 tasks" }).click();
    await expect.poll(() => flash(page)).toBe("pause: 3 done, 0 refused (of 3).");
    for (const t of made) expect((await rt.tasks.get(t.id))!.status).toBe("paused");
    await page.context().close();
  });

  it("filters the run history by status and error by click, with durations", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: "Runs", exact: true }).click();
    await page.getByRole("heading", { name: "Runs" }).waitFor();
    await page.getByLabel("status").selectOption("failed");
    await page.getByPlaceholder("error text").fill("timed out");
    await page.getByRole("button", { name: "Filter" }).click();
    const rows = page.locator("tr[data-run-id]");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toMatch(/failed\d+ ms/);
    expect(await fits(page)).toBe(true);
    await shot(page, "07-runs");
    await page.context().close();
  });

  it("re-sends a failed delivery and pauses and resumes a channel from the dashboard by click", async () => {
    const page = await signedIn();
    const row = page.locator("section[aria-labelledby=failed] tr[data-delivery-id]").first();
    const id = (await row.getAttribute("data-delivery-id"))!;
    await row.getByRole("button", { name: "Re-send" }).click();
    await expect.poll(() => flash(page)).toBe("Re-sending 1 failed delivery.");
    expect((await rt.db.prisma.delivery.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
    expect(await page.locator(`tr[data-delivery-id="${id}"]`).count()).toBe(0);

    const sms = page.locator(`section[aria-labelledby=channels] tr[data-channel="sms"]`);
    await sms.getByLabel("reason for pausing sms").fill("carrier incident");
    await sms.getByRole("button", { name: "Pause sms" }).click();
    await expect.poll(() => flash(page)).toBe("Paused sms: its messages wait until it is resumed.");
    expect(await page.locator(`section[aria-labelledby=channels] tr[data-channel="sms"]`).textContent()).toContain(
      "paused by admin:web",
    );
    await shot(page, "08-channel-paused");
    await page.getByRole("button", { name: "Resume sms" }).click();
    await expect.poll(() => flash(page)).toMatch(/^Resumed sms: 0 held messages going out\.$/);
    await page.getByRole("button", { name: "Re-send all failed" }).click();
    await expect.poll(() => flash(page)).toBe("Re-sending 2 failed deliveries.");
    await page.context().close();
  });
});
