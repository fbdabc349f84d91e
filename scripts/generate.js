#!/usr/bin/env node
// Generates the Prisma client into src/generated/prisma (run by `npm install`, before scripts/build.js).
// `prisma generate` needs no schema engine, but the CLI insists that one exists when it cannot download it:
// any existing file satisfies the check (see DEVELOPERS.md).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || fileURLToPath(import.meta.url),
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
execFileSync(
  process.execPath,
  [fileURLToPath(new URL("../node_modules/prisma/build/index.js", import.meta.url)), "generate"],
  { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] },
);
