import type { ChannelDeps, InboundAdapter } from "../bot/index.js";
import type { Config } from "../config/index.js";
import type { OutboundAdapter, OutboxItem } from "../notify/index.js";
import type { EmailSettings } from "../notify/email/index.js";
import type { SlackSettings } from "../notify/slack/index.js";
import type { SmsSettings } from "../notify/sms/index.js";

/**
 * The channel registry: every channel Herald speaks, in one entry each: its settings (picked from the one
 * config), how it addresses a user, its inbound adapter (src/bot/<name>/) and its outbound adapter
 * (src/notify/<name>/). Nothing below the runtime knows a channel by name; adding one (Telegram, WhatsApp)
 * is its two adapter folders and an entry here (DEVELOPERS.md, "Add a channel"). Adapters are loaded only
 * when their channel is configured: their SDKs weigh tens of MB.
 */

/** The fields of a user that channels address them by. */
export interface Contact {
  consoleName: string | null;
  phone: string | null;
  email: string | null;
  slackUserId: string | null;
}

/** How replies speak of a channel: "I'll remind you by text message", "I can't text you: I don't have a phone number". */
export interface ChannelWords {
  how: string;
  verb: string;
  address: string;
}

export interface ChannelEntry<S> {
  words: ChannelWords;
  /** The channel's settings, from the configuration; null when it is not configured. */
  settings(config: Config): S | null;
  /** The user's address on this channel, or null when they cannot be reached there. */
  address(contact: Contact): string | null;
  /**
   * Where a task with an audience goes (someone other than its owner, approved by an admin since it runs):
   * the channel's address for it, or null when the channel cannot reach an audience (it then goes to the owner).
   */
  audience?(audience: string): string | null;
  /** Webhooks on the one HTTP server. Absent for channels with no inbound HTTP (the CLI opens the console). */
  inbound?: () => Promise<InboundAdapter<S, ChannelDeps>>;
  /** Its inbound adapter has a worker side (`work`: what the webhooks stored is handled by the workers), so workers load it too. */
  inboundInWorkers?: boolean;
  outbound: () => Promise<OutboundAdapter<S>>;
}

const entry = <S>(e: ChannelEntry<S>): ChannelEntry<S> => e;

export const CHANNELS = {
  console: entry<Record<string, never>>({
    words: { how: "here in the console", verb: "reach you in the console", address: "a console session" },
    settings: () => ({}),
    address: (c) => c.consoleName,
    outbound: async () => (await import("../notify/console/index.js")).consoleOutbound,
  }),
  sms: entry<SmsSettings>({
    words: { how: "by text message", verb: "text you", address: "a phone number" },
    settings: (c) =>
      c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM_NUMBER && c.PUBLIC_URL
        ? {
            accountSid: c.TWILIO_ACCOUNT_SID,
            authToken: c.TWILIO_AUTH_TOKEN,
            from: c.TWILIO_FROM_NUMBER,
            apiUrl: c.TWILIO_API_URL,
            publicUrl: c.PUBLIC_URL,
            maxSegments: c.SMS_MAX_SEGMENTS,
            ratePerS: c.SMS_RATE_PER_S,
            replyBudgetMs: c.SMS_REPLY_BUDGET_MS,
            inboundConcurrency: c.INBOUND_CONCURRENCY,
          }
        : null,
    address: (c) => c.phone,
    inbound: async () => (await import("../bot/sms/index.js")).smsInbound,
    inboundInWorkers: true,
    outbound: async () => (await import("../notify/sms/index.js")).smsOutbound,
  }),
  email: entry<EmailSettings>({
    words: { how: "by email", verb: "email you", address: "an email address" },
    settings: (c) => (c.SMTP_URL && c.EMAIL_FROM ? { smtpUrl: c.SMTP_URL, from: c.EMAIL_FROM } : null),
    address: (c) => c.email,
    outbound: async () => (await import("../notify/email/index.js")).emailOutbound,
  }),
  slack: entry<SlackSettings>({
    words: { how: "on Slack", verb: "message you on Slack", address: "a Slack account" },
    settings: (c) =>
      c.SLACK_BOT_TOKEN && c.SLACK_SIGNING_SECRET
        ? {
            botToken: c.SLACK_BOT_TOKEN,
            signingSecret: c.SLACK_SIGNING_SECRET,
            apiUrl: c.SLACK_API_URL,
            opsChannel: c.SLACK_OPS_CHANNEL,
            channelRatePerS: c.SLACK_CHANNEL_RATE_PER_S,
            maxConcurrency: c.DELIVERY_CONCURRENCY,
          }
        : null,
    address: (c) => c.slackUserId,
    // A channel id (C…, G…) or name (#ops): chat.postMessage takes either.
    audience: (a) => (/^(#[\w.-]+|[CGD][A-Z0-9]+)$/.test(a) ? a : null),
    inbound: async () => (await import("../bot/slack/index.js")).slackInbound,
    outbound: async () => (await import("../notify/slack/index.js")).slackOutbound,
  }),
};

export type ChannelName = keyof typeof CHANNELS;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[];

export const isChannel = (name: string): name is ChannelName => Object.hasOwn(CHANNELS, name);

/** A channel's entry, typed by its settings (the registry's values differ in them). */
export const channel = (name: ChannelName): ChannelEntry<unknown> => CHANNELS[name] as ChannelEntry<unknown>;

/** The channels with settings in this configuration; the console always. */
export const configuredChannels = (config: Config): ChannelName[] =>
  CHANNEL_NAMES.filter((n) => channel(n).settings(config) !== null);

/** A configured channel with its adapters loaded. */
export interface LoadedChannel {
  name: ChannelName;
  settings: unknown;
  inbound?: InboundAdapter<unknown, ChannelDeps>;
  outbound?: OutboundAdapter<unknown>;
}

/**
 * Loads the adapters of the configured channels: for HTTP processes the inbound ones, for workers the
 * outbound ones and the inbound ones with a worker side.
 */
export async function loadChannels(
  config: Config,
  parts: { http: boolean; worker: boolean },
): Promise<LoadedChannel[]> {
  return Promise.all(
    configuredChannels(config).map(async (name) => {
      const e = channel(name);
      const inbound = parts.http || (parts.worker && e.inboundInWorkers);
      return {
        name,
        settings: e.settings(config),
        inbound: inbound && e.inbound ? await e.inbound() : undefined,
        outbound: parts.worker ? await e.outbound() : undefined,
      };
    }),
  );
}

/** A run's message and who it is for, as the planner sees them. */
export interface PlanInput {
  channel: string;
  audience: string | null;
  contact: Contact;
  body: string;
  blocks?: unknown[];
}

/**
 * The outbox rows for a run's message: to the task's audience when it has one its channel can reach
 * (an approved task), else to the owner on the task's channel; then the channel's own planner (SMS sends a
 * result too long for a text by email, with a pointer). None when the owner has no address there.
 */
export function planDeliveries(loaded: LoadedChannel[]): (m: PlanInput) => OutboxItem[] {
  const byName = new Map(loaded.map((c) => [c.name as string, c]));
  return (m) => {
    if (!isChannel(m.channel)) return [];
    const e = channel(m.channel);
    const recipient = (m.audience && e.audience?.(m.audience)) || e.address(m.contact);
    if (!recipient) return [];
    const item: OutboxItem = { channel: m.channel, recipient, body: m.body, blocks: m.blocks ?? null };
    const own = byName.get(m.channel);
    if (!own?.outbound?.plan) return [item];
    return own.outbound.plan(item, {
      settings: own.settings,
      configured: (name) => byName.has(name),
      addressOn: (name) => (isChannel(name) ? channel(name).address(m.contact) : null),
    });
  };
}

/** Whether a channel can reach a user here: configured on this server, and an address for them on it. */
export function reachOf(
  name: string,
  contact: Contact,
  configured: ReadonlySet<string>,
): { ok: true; how: string } | { ok: false; why: string } {
  if (!isChannel(name)) return { ok: false, why: `I don't know a channel called ${name}.` };
  const e = channel(name);
  if (!configured.has(name))
    return { ok: false, why: `I can't ${e.words.verb}: this Herald has no ${name} channel set up.` };
  if (!e.address(contact))
    return { ok: false, why: `I can't ${e.words.verb}: I don't have ${e.words.address} for you.` };
  return { ok: true, how: e.words.how };
}
