import type { Command } from "commander";

/** `herald sitrep` and `herald tasks …` (the operations issue fills these in). */
export function registerOps(_program: Command): void {}
