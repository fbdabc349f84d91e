#!/usr/bin/env node
// Compiles src/ and bench/ to dist/: one JavaScript file per TypeScript file (esbuild; no bundling, no
// type check, which `npm run typecheck` does). Herald runs the compiled files: running the sources
// through tsx's loader costs about 50 MB of memory per process (its hooks run on a thread of their own)
// and most of a second at start. Run by `npm install`, and by bin/herald.js and bin/bench.js whenever a
// source file is newer than the last build, so an edit never runs stale code.
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(root, "dist");
const STAMP = join(DIST, ".stamp.json");
const SOURCE_DIRS = ["src", "bench"];

function sources() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(join(root, d));
  return out;
}

/** What the build was made from: the files and their modification times. */
function fingerprint(files) {
  return files
    .map((f) => `${relative(root, f)}@${statSync(f).mtimeMs}`)
    .sort()
    .join("\n");
}

function isCurrent(files) {
  try {
    return JSON.parse(readFileSync(STAMP, "utf8")).fingerprint === fingerprint(files);
  } catch {
    return false;
  }
}

/** Builds into a fresh directory and swaps it in, so a process starting meanwhile sees the old build or the new one. */
export async function build() {
  const { build: esbuild } = await import("esbuild");
  const files = sources();
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild({
    entryPoints: files,
    outdir: tmp,
    outbase: root,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
  writeFileSync(join(tmp, ".stamp.json"), JSON.stringify({ fingerprint: fingerprint(files) }));
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Makes sure dist/ matches the sources, building when it does not (one process at a time: the others
 * wait for it). Returns false when it cannot (a read-only install, say): the caller then runs the sources.
 */
export async function ensureBuilt() {
  if (isCurrent(sources())) return true;
  const lock = join(root, ".dist.lock");
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (err) {
      if (err.code !== "EEXIST") return false;
      // Someone else is building; a lock older than the deadline is left over from a crash.
      if (Date.now() > deadline || Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 30_000)
        rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    if (!isCurrent(sources())) await build();
    return true;
  } catch (err) {
    process.stderr.write(
      `herald: could not compile to dist/ (${err.message}); running the TypeScript sources instead\n`,
    );
    return false;
  } finally {
    rmSync(lock, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await build();
