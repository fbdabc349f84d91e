#!/usr/bin/env node
// `npm run bench`: the engine benchmark, from the compiled JavaScript (see bin/herald.js), so its worker
// processes measure what production runs.
import { ensureBuilt } from "../scripts/build.js";

if (!(await ensureBuilt())) {
  console.error("bench: dist/ could not be built; the bench measures the compiled code only");
  process.exit(1);
}
await import("../dist/bench/index.js");
