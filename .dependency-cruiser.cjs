/**
 * Herald's layering, checked on every `npm run check` (and so in CI): an import that goes the wrong way
 * fails the build instead of waiting for a review. Folders from the bottom up (see DEVELOPERS.md, Layout):
 *
 *   infrastructure  config log errors retry time db redis http batch   (know nothing of Herald's domain)
 *   notify          delivery out: the outbox and the channels' senders
 *   tasks           lifecycle and scheduling (writes its runs' outbox rows through notify)
 *   ai              understanding and acting (implements the engine's Executor)
 *   bot             channels in, and the conversation
 *   ops             sitrep, alerts, metrics
 *   admin           the admin web app and API
 *   mcp             the admin operations as MCP tools (stdio and streamable HTTP)
 *   channels        the channel registry (loads bot/<name> and notify/<name>)
 *   runtime         the composition root and the CLI; nothing imports it
 *
 * Type-only imports count too: the import circle the old Runtime type closed was made of them.
 */
const LAYERS = ["notify", "tasks", "ai", "bot", "ops", "admin", "mcp", "channels", "runtime"];
const INFRA = "(config|log|errors|retry|time|db|redis|http|batch)";
const above = (layer) => LAYERS.slice(LAYERS.indexOf(layer) + 1);
const layerRule = (layer) => ({
  name: `${layer}-not-above`,
  comment: `${layer} must not import a layer above it (${above(layer).join(", ")})`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${above(layer).join("|")})/` },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle hides which part depends on which; break it with a narrow interface.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "runtime-is-a-root",
      comment: "src/runtime wires everything; nothing under src/ imports it (take narrow dependencies instead).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/runtime/" },
      to: { path: "^src/runtime/" },
    },
    {
      name: "infrastructure-knows-no-domain",
      comment: "Infrastructure folders must not import Herald's domain folders.",
      severity: "error",
      from: { path: `^src/${INFRA}/` },
      to: { path: `^src/(${LAYERS.join("|")})/` },
    },
    ...LAYERS.slice(0, -1).map(layerRule),
    {
      name: "ops-and-bot-apart",
      comment: "The user's conversation (bot) and the operators' views (ops, admin) do not know each other.",
      severity: "error",
      from: { path: "^src/(ops|admin|mcp)/" },
      to: { path: "^src/bot/" },
    },
    {
      name: "public-surface-only",
      comment: "Another folder is used through its index.ts (or a channel adapter's <folder>/<name>/index.ts).",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { path: "^src/[^/]+/", pathNot: ["^src/$1/", "/index\\.ts$", "^src/generated/"] },
    },
    {
      name: "prisma-client-through-db",
      comment: "The generated Prisma client is reached through src/db.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/db/" },
      to: { path: "^src/generated/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
