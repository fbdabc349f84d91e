import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/index.js";
import { launchBrowser } from "../helpers/browser.js";
import { startTestRuntime, unique } from "../helpers/runtime.js";

const TOKEN = "browser-admin-token-0123456789";

/** The admin page in a real headless browser: sign in, find the held task first, approve it by clicking. */
describe("admin page in a browser", () => {
  let rt: Runtime;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    rt = await startTestRuntime({ env: { ADMIN_TOKEN: TOKEN }, parts: { worker: false, http: true } });
    base = `http://127.0.0.1:${rt.port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  async function heldTask(title: string) {
    const user = await rt.db.prisma.user.create({ data: { timezone: "UTC", name: unique("Robin") } });
    return rt.tasks.create({
      userId: user.id,
      title,
      instruction: `${title}, please`,
      when: { runAt: new Date(Date.now() + 3_600_000 * 3) },
      timezone: "UTC",
      channel: "console",
      audience: "+15550005555",
    });
  }

  it("signs in with the token and approves a pending task by clicking Approve", async () => {
    const title = unique("remind the night shift");
    const task = await heldTask(title);
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${base}/admin`);
    await page.getByLabel("Admin token").fill("wrong-token-wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token is not right.");

    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /Waiting for approval/ }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === "herald_admin")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).not.toContain(TOKEN);

    const row = page.locator(`section[aria-labelledby="pending"] tr[data-task-id="${task.id}"]`);
    await expect.poll(() => row.textContent()).toContain(title);
    await row.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe(`Approved "${title}".`);
    expect(await page.locator(`section[aria-labelledby="pending"] tr[data-task-id="${task.id}"]`).count()).toBe(0);

    expect((await rt.tasks.get(task.id))!.status).toBe("scheduled");
    const audit = await rt.db.prisma.auditLog.findFirstOrThrow({ where: { taskId: task.id, action: "approve" } });
    expect(audit.actor).toBe("admin:web");
    await context.close();
  });

  it("searches, opens a task, and rejects it from its page with a reason", async () => {
    const title = unique("text everyone");
    const task = await heldTask(title);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/admin?token=${TOKEN}`);
    expect(new URL(page.url()).search).toBe("");

    await page.getByPlaceholder("title or instruction").fill(title);
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator(`section[aria-labelledby="search"]`).getByRole("link", { name: title }).click();
    await page.getByRole("heading", { name: title }).waitFor();
    expect(await page.getByRole("heading", { name: "Runs" }).count()).toBe(1);

    await page.getByPlaceholder("reason (optional)").fill("too broad");
    await page.getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe(`Rejected "${title}".`);
    expect(page.url()).toBe(`${base}/admin/tasks/${task.id}?msg=${encodeURIComponent(`Rejected "${title}".`)}`);
    expect((await rt.tasks.get(task.id))!.status).toBe("cancelled");
    expect(await page.locator("table").last().textContent()).toContain("too broad");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    await context.close();
  });
});
