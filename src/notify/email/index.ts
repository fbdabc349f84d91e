import nodemailer, { type Transporter } from "nodemailer";
import { ProviderError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";
import type { OutboundAdapter, OutboundMessage, SendResult, Sender } from "../types.js";

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Subject, plain text and HTML for a message body: the first line (cut at 78 characters) is the subject. */
export function composeEmail(body: string): { subject: string; text: string; html: string } {
  const first = body.split("\n").find((l) => l.trim()) ?? "Herald";
  const subject = first.length > 78 ? `${first.slice(0, 77).replace(/\s+\S*$/, "")}…` : first;
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
  const html = `<!doctype html><html><body style="font-family: sans-serif">${paragraphs}<p style="color:#777;font-size:12px">Sent by Herald.</p></body></html>`;
  return { subject: `Herald: ${subject}`, text: `${body}\n\n-- \nSent by Herald.`, html };
}

/** Sends through SMTP (SMTP_URL) from EMAIL_FROM, with a plain text and an HTML part. */
export class EmailSender implements Sender {
  readonly channel = "email";
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly logger: Logger,
  ) {
    // Timeouts of our own: nodemailer's defaults wait minutes on a silent server.
    this.transport = nodemailer.createTransport(smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as object);
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const { subject, text, html } = composeEmail(m.body);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: m.recipient,
        subject,
        text,
        html,
        headers: { "X-Herald-Delivery": m.deliveryId },
      });
      this.logger.info({ deliveryId: m.deliveryId, messageId: info.messageId }, "email accepted by SMTP server");
      return { providerId: info.messageId, status: "sent" };
    } catch (err) {
      const e = err as { responseCode?: number; message: string; code?: string };
      // 5xx is the server refusing for good (no such mailbox, rejected sender); 4xx and network errors may pass later.
      const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
      throw new ProviderError(
        permanent ? "permanent" : "retryable",
        `SMTP ${e.responseCode ?? e.code ?? "error"}: ${e.message}`,
        {
          provider: "smtp",
          status: e.responseCode,
          cause: err,
        },
      );
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** What email needs from the configuration (SMTP_URL, EMAIL_FROM). */
export interface EmailSettings {
  smtpUrl: string;
  from: string;
}

/** Email's outbound side, for the channel registry. */
export const emailOutbound: OutboundAdapter<EmailSettings> = {
  sender: (s, deps) => new EmailSender(s.smtpUrl, s.from, deps.logger),
};
