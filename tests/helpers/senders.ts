import type { OutboundMessage, SendResult, Sender } from "../../src/notify/index.js";

/** A sender that keeps what it was asked to send (for engine tests that are not about a channel's wire protocol). */
export class RecordingSender implements Sender {
  readonly sent: OutboundMessage[] = [];
  constructor(readonly channel = "console") {}
  async send(m: OutboundMessage): Promise<SendResult> {
    this.sent.push(m);
    return { status: "delivered", providerId: `rec-${this.sent.length}` };
  }
}
