import { createInterface } from "node:readline";
import { consoleTopic } from "../../notify/console/index.js";
import type { Redis } from "../../redis/index.js";
import type { Conversation } from "../conversation.js";

export interface ConsoleOptions {
  conversation: Pick<Conversation, "handle">;
  /** A Redis connection of its own: it is put in subscriber mode. */
  subscriber: Redis;
  prefix: string;
  user: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Show a "> " prompt (when input is a terminal). */
  prompt: boolean;
  now?: () => Date;
  /** Reminders that fired while no console was open for this user; shown first, then marked delivered. */
  takeMissed?: () => Promise<string[]>;
}

/**
 * The console channel: each line of input is a message from one local user; replies and fired reminders
 * are written to the output. Resolves when the input ends and the last reply has been written.
 */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  const now = o.now ?? (() => new Date());
  const write = (s: string) => o.output.write(s.endsWith("\n") ? s : `${s}\n`);
  const rl = createInterface({ input: o.input, terminal: false });
  const showPrompt = () => o.prompt && o.output.write("> ");

  // Listening starts before the first line is handled, so a reminder due in seconds is not missed;
  // readline's handlers are attached synchronously below, so no line is lost while subscribing.
  const subscribed = o.subscriber.subscribe(consoleTopic(o.prefix, o.user));
  o.subscriber.on("message", (_topic: string, payload: string) => {
    const { body } = JSON.parse(payload) as { body: string };
    if (o.prompt) o.output.write("\r");
    write(body);
    showPrompt();
  });

  if (o.prompt)
    write(`Herald is listening. Type a request ("remind me in 1 minute to stretch"), "help", or Ctrl-D to quit.`);
  showPrompt();
  // Lines are handled one at a time, in order, even when they arrive faster than they are answered.
  let chain: Promise<unknown> = subscribed.then(async () => {
    for (const body of (await o.takeMissed?.()) ?? []) write(`${body} (missed while you were away)`);
  });
  let seq = 0;
  rl.on("line", (line) => {
    if (!line.trim()) return void showPrompt();
    const n = ++seq;
    chain = chain.then(async () => {
      try {
        const out = await o.conversation.handle({
          channel: "console",
          externalId: `${process.pid}-${Date.now()}-${n}`,
          text: line,
          identity: { consoleName: o.user, name: o.user },
          receivedAt: now(),
        });
        if (!out.duplicate) write(out.reply.text);
      } catch (err) {
        write(`Sorry, something went wrong handling that (${(err as Error).message}). Please try again.`);
      }
      showPrompt();
    });
  });
  await new Promise<void>((resolve) => rl.once("close", resolve));
  await chain;
  await o.subscriber.unsubscribe().catch(() => {});
}
