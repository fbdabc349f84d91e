import { Command } from "commander";
import { registerParse } from "./parse.js";

const program = new Command("herald").description("Herald: a chat and SMS assistant that schedules and acts on tasks");
registerParse(program);
await program.parseAsync(process.argv);
