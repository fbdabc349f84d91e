import pino, { type Logger } from "pino";

export type { Logger };

/**
 * pino: pretty in a terminal, JSON otherwise. Phone numbers, tokens and message bodies never appear in
 * full above debug: the redact paths below censor common secret fields wherever they are logged,
 * and callers pass phone numbers through maskPhone().
 */
export function createLogger(opts: { level?: string; pretty?: boolean; destination?: number } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  const base = {
    level: opts.level ?? "info",
    redact: {
      paths: [
        "*.authToken",
        "*.token",
        "*.apiKey",
        "*.password",
        "*.secret",
        "*.signingSecret",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
      ],
      censor: "[redacted]",
    },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { destination: opts.destination ?? 2, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  return pino(base, pino.destination({ fd: opts.destination ?? 2, sync: false }));
}

/** A logger that drops everything: for tests and library-style use. */
export const silentLogger: Logger = pino({ level: "silent" });

/** "+1555•••4567": enough to tell numbers apart in a log, not enough to text one. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return String(phone);
  return phone.length <= 6 ? "•••" : `${phone.slice(0, 5)}•••${phone.slice(-2)}`;
}

/** "xoxb…(40 chars)": shows which secret, never its value. */
export function maskSecret(secret: string | null | undefined): string {
  if (!secret) return String(secret);
  return `${secret.slice(0, 4)}…(${secret.length} chars)`;
}

/** A URL with its password removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "•••";
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
