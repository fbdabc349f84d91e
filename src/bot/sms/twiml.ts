/** Escapes text for an XML element body. */
const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** TwiML for the immediate reply: one <Message>, or an empty <Response/> when there is nothing to say. */
export function twiml(message?: string | null): string {
  const inner = message ? `<Message>${xml(message)}</Message>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
}
