import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files start workers on real Postgres and Redis; two cores run two files at a time well.
    maxWorkers: 2,
  },
});
