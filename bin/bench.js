#!/usr/bin/env node
// `npm run bench`: the engine benchmark, run from its TypeScript sources through tsx's loader (no build step).
import { register } from "tsx/esm/api";

register();
await import("../bench/index.ts");
