import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on 127.0.0.1:0 (smtp-server) that requires the given login, parses every message
 * with mailparser and keeps it in `mail`. Recipients in `reject` are refused with 550, as a server refuses
 * an unknown mailbox. STARTTLS is off: the fake has no certificate worth trusting.
 */
export async function startFakeSmtp(o: { user: string; pass: string; reject?: string[] }) {
  const mail: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === o.user && auth.password === o.pass) return cb(null, { user: auth.username });
      cb(new Error("535 5.7.8 Authentication credentials invalid"));
    },
    onRcptTo(address, _session, cb) {
      if (o.reject?.includes(address.address))
        return cb(Object.assign(new Error("550 5.1.1 No such mailbox"), { responseCode: 550 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((parsed) => {
        mail.push(parsed);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.server.address() as { port: number }).port;
  return {
    /** SMTP_URL for Herald. */
    url: `smtp://${encodeURIComponent(o.user)}:${encodeURIComponent(o.pass)}@127.0.0.1:${port}`,
    mail,
    /** Messages addressed to `address`. */
    to: (address: string) =>
      mail.filter((m) =>
        (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).some((t) => t.value.some((v) => v.address === address)),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type FakeSmtp = Awaited<ReturnType<typeof startFakeSmtp>>;
