# syntax=docker/dockerfile:1
# Herald as a service: `docker compose up -d` (see docker-compose.yml and the README's "Deploy").
# Build stage: install with dev dependencies (the Prisma CLI generates the client, esbuild compiles
# src/ to dist/ in npm's postinstall), then drop the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY bench ./bench
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Run stage: the compiled code, production dependencies and migrations, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
# /healthz answers on PORT (serve), or on METRICS_PORT in processes without HTTP (workers).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.METRICS_PORT || process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/herald.js"]
CMD ["serve"]
