#!/usr/bin/env node
// The `herald` executable: runs the compiled JavaScript in dist/, compiling it first when a source file
// changed (scripts/build.js, about 0.2 s); where dist/ cannot be written, it runs the TypeScript sources
// through tsx's loader instead.
import { ensureBuilt } from "../scripts/build.js";

if (await ensureBuilt()) {
  await import("../dist/src/runtime/cli/main.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/runtime/cli/main.ts");
}
