# cloudtrail-indexer worker image.
#   build:     full toolchain, compiles src/ to dist/
#   prod-deps: production dependencies only
#   runtime:   distroless Node 24, non-root, no shell, no package manager
# Build: DOCKER_BUILDKIT=1 docker build -t cloudtrail-indexer .   (BuildKit for the cache mounts; no `# syntax=`
#        line, so the daemon's built-in Dockerfile frontend is used and no frontend image is fetched)
#        Behind a TLS-inspecting proxy, hand the build your CA bundle as a secret (never baked into a layer):
#        --secret id=ca-certificates,src=/etc/ssl/certs/ca-certificates.crt
# Run:   docker run --read-only --tmpfs /tmp ... cloudtrail-indexer
# The default command is `worker`; any other CLI command replaces it: docker run ... cloudtrail-indexer backfill ...

FROM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script would build before the sources are copied (and so break layer
# caching), and the `node` devDependency's preinstall would download a second Node 24 that this image
# already has. No dependency needs its install script to compile the project (see `allowScripts`).
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca-certificates \
    NODE_EXTRA_CA_CERTS="$(ls /run/secrets/ca-certificates 2>/dev/null)" npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-trixie-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script, so nothing is lost by not running any.
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca-certificates \
    NODE_EXTRA_CA_CERTS="$(ls /run/secrets/ca-certificates 2>/dev/null)" npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Same Debian release as the build image; /nodejs/bin/node below is this image's Node.
FROM gcr.io/distroless/nodejs24-debian13:nonroot AS runtime
WORKDIR /app
# MALLOC_*: glibc's allocator bounded as src/bin/runtime-settings.ts says why (a fixed mmap threshold, two
# arenas). With them here and the V8 flag in the ENTRYPOINT, the CLI has nothing to add and does not
# replace itself at start (a unit test checks the two agree).
ENV NODE_ENV=production \
    HEALTH_PORT=8080 \
    TMPDIR=/tmp \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072
# package.json is read at run time (the CLI prints its version from it).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Saved objects that `setup --dashboards` imports.
COPY dashboards ./dashboards
# The :nonroot image's user (uid 65532), stated so the intent survives a change of base image.
USER 65532:65532
EXPOSE 8080
# No shell or curl in distroless: Node's own fetch probes the worker's liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --max-semi-space-size=4 (MB): V8's young generation otherwise grows to tens of MB per semi-space and the
# process keeps it; with 4 the worker's peak RSS on a 200 MB log file fell from 330 to 210 MB at no measurable
# CPU cost (bench/RESULTS.md, "Target 5"). The same flag as src/bin/runtime-settings.ts gives every other way
# of starting the CLI. NODE_OPTIONS still adds to it.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "dist/bin/cli.js"]
CMD ["worker"]
