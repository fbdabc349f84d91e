import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { interpretOffline } from "../ai/offline/index.js";
import { interpretationToJson } from "../ai/serialize.js";

/** `herald parse`: interpret without storing anything (the measurable contract of issue #3). */
export function registerParse(program: Command): void {
  program
    .command("parse")
    .description("interpret a request and print the result as JSON; stores nothing")
    .argument("[text]", "the request, e.g. \"remind me at 5 to call mom\"")
    .option("--now <iso>", "reference time, ISO 8601 with offset (default: now)")
    .option("--tz <zone>", "the user's IANA time zone", "UTC")
    .option("--jsonl <file>", "read {id,text,now,tz} lines and print one {id,intent,task,schedule} line each")
    .option("--interpreter <kind>", "offline | llm | auto", "offline")
    .action(async (text: string | undefined, opts: { now?: string; tz: string; jsonl?: string; interpreter: string }) => {
      if (opts.jsonl) {
        const lines = readFileSync(opts.jsonl, "utf8").split("\n").filter((l) => l.trim());
        for (const line of lines) {
          const rec = JSON.parse(line) as { id: string; text: string; now: string; tz: string };
          const result = interpretOffline(rec.text, { now: new Date(rec.now), tz: rec.tz });
          process.stdout.write(JSON.stringify({ id: rec.id, ...interpretationToJson(result, rec.tz) }) + "\n");
        }
        return;
      }
      if (!text) program.error("herald parse: give the request as an argument, or --jsonl FILE");
      const now = opts.now ? new Date(opts.now) : new Date();
      const result = interpretOffline(text, { now, tz: opts.tz });
      process.stdout.write(JSON.stringify(interpretationToJson(result, opts.tz)) + "\n");
    });
}
