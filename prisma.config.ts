import { defineConfig } from "prisma/config";

// DATABASE_URL is only needed by `prisma migrate status/deploy` (for users who have the schema engine);
// Herald itself reads it through src/config.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/herald" },
});
