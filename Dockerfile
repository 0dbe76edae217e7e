# syntax=docker/dockerfile:1
# alertgate container image.
#   build:   npm ci (its `prepare` script compiles TypeScript to dist/; better-sqlite3 is
#            compiled natively here, where python3/make/g++ exist), then the dev dependencies
#            are pruned so only production packages — with the native build — move on.
#   runtime: slim Node, app files owned by root and read-only to the `node` user (1000) that runs it;
#            the SQLite store lives on the /app/data volume.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Compile native addons against the headers shipped in the image (no download from nodejs.org).
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci \
 && test -f dist/cli/main.js \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# A 128 MiB old-generation heap keeps the process under ~200 MB RSS: V8 otherwise grows its heap
# well past what it retains before collecting (e.g. paging /v1/notifications at 1,000 items).
# `npm run bench` runs the gateway with this same value (docs/performance.md).
# MALLOC_ARENA_MAX=2: glibc otherwise gives every thread that allocates (the SQLite writer
# thread, libuv's pool, V8's helpers) a malloc arena of its own, and memory freed there stays
# resident; with two arenas the peak RSS under webhook traffic was 3-8 MiB lower in five paired
# runs, at the same ingest rate and ack latency. The benchmarks set it from here too.
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/app/data/alertgate.db \
    NODE_OPTIONS=--max-old-space-size=128 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY bin ./bin
COPY routes ./routes
COPY rules ./rules
COPY dashboards ./dashboards
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# The base image's `node` user, by number: the kubelet can check runAsNonRoot against a numeric
# USER only (with a name it refuses to start the container unless the pod sets runAsUser, and Pod
# Security's `restricted` level asks for runAsNonRoot alone). deploy/kubernetes sets the same ids.
USER 1000:1000
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/alertgate.js"]
CMD ["serve"]
