import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../src/generated/prisma/client.js";

/**
 * `n` SMS users (numbers from `base`) with one task each, due all at once a second from now and stored
 * without timers, so the scheduler's sweep fires them together. Returns the phone numbers.
 */
export async function seedSmsBurst(prisma: PrismaClient, n: number, base: number, tag: string): Promise<string[]> {
  const phones = Array.from({ length: n }, (_, i) => `+1555${String(base + i).padStart(7, "0")}`);
  await prisma.user.createMany({
    data: phones.map((phone) => ({ timezone: "UTC", phone, consoleName: `${tag}-${randomBytes(4).toString("hex")}` })),
  });
  const users = await prisma.user.findMany({ where: { phone: { in: phones } } });
  const runAt = new Date(Date.now() + 1000);
  await prisma.task.createMany({
    data: users.map((u) => ({
      userId: u.id,
      title: `burst for ${u.phone}`,
      instruction: "x",
      runAt,
      nextRunAt: runAt,
      timezone: "UTC",
      channel: "sms",
      status: "scheduled",
    })),
  });
  return phones;
}
