import { Command } from "commander";
import { registerOps } from "./ops.js";
import { registerParse } from "./parse.js";
import { consoleUser, runChat, runMigrate, runServer } from "./run.js";

const program = new Command("herald").description("Herald: a chat and SMS assistant that schedules and acts on tasks");

program
  .command("start")
  .description(
    "HTTP server and worker in one process (opens the console too when no Slack/Twilio is set and stdin is a terminal)",
  )
  .option("--no-console", "never open the console channel")
  .action((o: { console: boolean }) => runServer({ worker: true, http: true }, o.console ? {} : { console: false }));
program
  .command("serve")
  .description("HTTP server only (webhooks, admin); run workers separately")
  .action(() => runServer({ worker: false, http: true }, { console: false }));
program
  .command("worker")
  .description("fire and delivery workers and the scheduler only; run as many as you like")
  .action(() => runServer({ worker: true, http: false }, { console: false }));
program
  .command("chat")
  .description("the console channel: type requests, see replies and reminders; exits at end of input")
  .option("--user <name>", "the local user to act as", consoleUser())
  .option("--no-worker", "do not run the engine in this process (a `herald worker` elsewhere fires the reminders)")
  .action((o: { user: string; worker: boolean }) => runChat(o));
program
  .command("migrate")
  .description("create the database if needed and apply pending migrations")
  .action(() => runMigrate());
registerParse(program);
registerOps(program);

await program.parseAsync(process.argv);
