import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Interpreter } from "../../ai/index.js";
import { interpretationToJson, interpreterForCli } from "../../ai/index.js";
import { isValidTimeZone } from "../../time/index.js";

/** `herald parse`: interpret without storing anything (the measurable contract of issue #3). */
export function registerParse(program: Command): void {
  program
    .command("parse")
    .description("interpret a request and print the result as JSON; stores nothing")
    .argument("[text]", 'the request, e.g. "remind me at 5 to call mom"')
    .option("--now <iso>", "reference time, ISO 8601 with offset (default: now)")
    .option("--tz <zone>", "the user's IANA time zone", "UTC")
    .option("--jsonl <file>", "read {id,text,now,tz} lines and print one {id,intent,task,schedule} line each")
    .option("--interpreter <kind>", "offline | llm | auto", "offline")
    .action(
      async (text: string | undefined, opts: { now?: string; tz: string; jsonl?: string; interpreter: string }) => {
        if (!isValidTimeZone(opts.tz))
          program.error(`herald: --tz "${opts.tz}" is not an IANA time zone; use one such as America/New_York`);
        let interpreter: Interpreter;
        try {
          interpreter = await interpreterForCli(opts.interpreter);
        } catch (err) {
          program.error(`herald parse: ${(err as Error).message}`);
        }
        if (opts.jsonl) {
          const lines = readFileSync(opts.jsonl, "utf8")
            .split("\n")
            .filter((l) => l.trim());
          for (const line of lines) {
            const rec = JSON.parse(line) as { id: string; text: string; now: string; tz: string };
            const result = await interpreter.interpret(rec.text, { now: new Date(rec.now), tz: rec.tz });
            process.stdout.write(`${JSON.stringify({ id: rec.id, ...interpretationToJson(result, rec.tz) })}\n`);
          }
          return;
        }
        if (!text) program.error("herald parse: give the request as an argument, or --jsonl FILE");
        const now = opts.now ? new Date(opts.now) : new Date();
        if (Number.isNaN(now.getTime()))
          program.error(`herald parse: --now ${opts.now} is not an ISO 8601 time such as 2026-03-06T10:15:00-05:00`);
        const result = await interpreter.interpret(text, { now, tz: opts.tz });
        process.stdout.write(`${JSON.stringify(interpretationToJson(result, opts.tz))}\n`);
      },
    );
}
