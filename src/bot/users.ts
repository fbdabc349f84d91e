import type { Db, User } from "../db/index.js";
import type { Identity, InboundMessage } from "./types.js";

/** Per-user conversation memory, kept in users.state. */
export interface ConversationState {
  /** A create that still needs a time: the next message may complete it. */
  draft?: { task: string; channel?: string; audience?: string; asked: string };
  /** Task ids of the last numbered list shown ("cancel 2"). */
  lastList?: string[];
  /** The task the user last created or changed ("undo", "move it to 4"). */
  lastTaskId?: string;
}

export const stateOf = (u: User): ConversationState => (u.state ?? {}) as ConversationState;

/** Finds the user behind a channel identity, creating them on first contact. */
export async function findOrCreateUser(prisma: Db, msg: InboundMessage, defaultTz: string): Promise<User> {
  const where = identityKey(msg.identity);
  const existing = await prisma.user.findFirst({ where });
  if (existing) {
    if (msg.identity.timezone && msg.identity.timezone !== existing.timezone && msg.channel === "slack") {
      return prisma.user.update({ where: { id: existing.id }, data: { timezone: msg.identity.timezone } });
    }
    return existing;
  }
  try {
    return await prisma.user.create({
      data: {
        ...where,
        name: msg.identity.name ?? null,
        timezone: msg.identity.timezone ?? defaultTz,
        preferredChannel: msg.channel,
      },
    });
  } catch (err) {
    // Two first messages at once: the other one created the user.
    const again = await prisma.user.findFirst({ where });
    if (again) return again;
    throw err;
  }
}

function identityKey(id: Identity): Record<string, string> {
  if (id.slackUserId) return { slackUserId: id.slackUserId };
  if (id.phone) return { phone: id.phone };
  if (id.email) return { email: id.email };
  if (id.consoleName) return { consoleName: id.consoleName };
  throw new Error("an inbound message needs an identity (Slack user, phone, email or console name)");
}

export async function saveState(prisma: Db, userId: string, state: ConversationState): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { state: state as object } });
}
