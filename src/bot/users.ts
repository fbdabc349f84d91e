import type { Db, Tx, User } from "../db/index.js";
import type { DialogueState } from "./dialogue/types.js";
import type { Identity } from "./types.js";

export type { User };

/** Per-user conversation memory, kept in users.state (see dialogue/types.ts). */
export type ConversationState = DialogueState;

/** The user column an identity is looked up by. */
function identityKey(id: Identity): Record<string, string> {
  if (id.slackUserId) return { slackUserId: id.slackUserId };
  if (id.phone) return { phone: id.phone };
  if (id.email) return { email: id.email };
  if (id.consoleName) return { consoleName: id.consoleName };
  throw new Error("an inbound message needs an identity (Slack user, phone, email or console name)");
}

/**
 * The one writer of `users`: who people are on each channel, their zone, their conversation state and
 * whether they opted out of SMS. Everything else that changes a user (an SMS STOP, a carrier's 21610,
 * a zone from Slack's profile) comes here.
 */
export class Users {
  constructor(
    private readonly prisma: Db,
    /** The zone new users start in (DEFAULT_TIMEZONE). */
    private readonly defaultTimezone: string,
  ) {}

  /**
   * Finds the user behind a channel identity, creating them on first contact. A zone the channel knows
   * (Slack's profile) is kept up to date.
   */
  async findOrCreate(identity: Identity, channel: string): Promise<User> {
    const where = identityKey(identity);
    const existing = await this.prisma.user.findFirst({ where });
    if (existing) {
      if (identity.timezone && identity.timezone !== existing.timezone && channel === "slack") {
        return this.prisma.user.update({ where: { id: existing.id }, data: { timezone: identity.timezone } });
      }
      return existing;
    }
    try {
      return await this.prisma.user.create({
        data: {
          ...where,
          name: identity.name ?? null,
          timezone: identity.timezone ?? this.defaultTimezone,
          preferredChannel: channel,
        },
      });
    } catch (err) {
      // Two first messages at once: the other one created the user.
      const again = await this.prisma.user.findFirst({ where });
      if (again) return again;
      throw err;
    }
  }

  get(userId: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id: userId } });
  }

  bySlackId(slackUserId: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { slackUserId } });
  }

  /** Locks the user's row for the rest of transaction `tx` and returns their dialogue state as it is now. */
  async lockState(userId: string, tx: Tx): Promise<unknown> {
    const rows = await tx.$queryRaw<
      { state: unknown }[]
    >`SELECT state FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
    return rows[0]?.state ?? null;
  }

  async saveState(userId: string, state: ConversationState, tx: Tx = this.prisma): Promise<void> {
    await tx.user.update({ where: { id: userId }, data: { state: state as object } });
  }

  setTimezone(userId: string, timezone: string, tx: Tx = this.prisma): Promise<User> {
    return tx.user.update({ where: { id: userId }, data: { timezone } });
  }

  /** SMS STOP, or the carrier telling Twilio so (21610): nothing is texted to them until they opt in. */
  async optOut(userId: string, tx: Tx = this.prisma): Promise<void> {
    await tx.user.updateMany({
      where: { id: userId, optedOut: false },
      data: { optedOut: true, optedOutAt: new Date() },
    });
  }

  async optIn(userId: string, tx: Tx = this.prisma): Promise<void> {
    await tx.user.update({ where: { id: userId }, data: { optedOut: false, optedOutAt: null } });
  }
}
