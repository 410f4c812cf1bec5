#!/usr/bin/env bash
# Builds Docker Compose v2 and buildx from the Go module proxy into a DOCKER_CONFIG folder of our own,
# for machines whose Docker has neither (Debian's docker.io 20.10 ships no plugins and its docker-compose
# 1.29 rejects the compose file's top-level `name:`). Cached outside the clone; a second run takes a second.
#   scripts/images/docker-plugins.sh           prints the DOCKER_CONFIG folder on its last line
# Use: export DOCKER_CONFIG="$(scripts/images/docker-plugins.sh | tail -1)"; docker compose version
set -euo pipefail

BUILDX_VERSION="v0.38.2"
# Compose 5.x needs a newer Go than 1.26; 2.40.x is the newest line that builds with it.
COMPOSE_VERSION="v2.40.3"

cache="${CTI_CACHE_DIR:-$HOME/.cache/cloudtrail-indexer}"
config="$cache/docker-config"
plugins="$config/cli-plugins"
mkdir -p "$plugins"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:-} -trimpath"
# Lowest priority (callers add nice too): the compile jobs take the cores the test suites leave idle.
parallelism="${GO_BUILD_PARALLELISM:-2}"

version_of() { "$1" version 2>/dev/null || true; }

build_buildx() {
  if [[ "$(version_of "$plugins/docker-buildx")" == *"$BUILDX_VERSION"* ]]; then
    echo "docker-plugins: buildx $BUILDX_VERSION already built" >&2; return
  fi
  local start=$SECONDS
  # Without the version stamp buildx reports "v0.0.0+unknown" and compose refuses it ("compose build
  # requires buildx 0.17 or later").
  GOBIN="$cache/go-bin" nice -n 19 go install -p "$parallelism" \
    -ldflags "-s -w -X github.com/docker/buildx/version.Version=$BUILDX_VERSION" \
    "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
  mv "$cache/go-bin/buildx" "$plugins/docker-buildx"
  echo "docker-plugins: buildx $BUILDX_VERSION built in $((SECONDS - start)) s" >&2
}

build_compose() {
  if [[ "$(version_of "$plugins/docker-compose")" == *"${COMPOSE_VERSION#v}"* ]]; then
    echo "docker-plugins: compose $COMPOSE_VERSION already built" >&2; return
  fi
  local start=$SECONDS dir
  # Compose's go.mod has `exclude` directives, which `go install mod@version` refuses: build inside the module.
  dir="$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -f "$dir/go.mod" ]] || { echo "docker-plugins: could not download compose $COMPOSE_VERSION" >&2; return 1; }
  (cd "$dir" && nice -n 19 go build -p "$parallelism" \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
    -o "$plugins/docker-compose" ./cmd)
  echo "docker-plugins: compose $COMPOSE_VERSION built in $((SECONDS - start)) s" >&2
}

command -v go >/dev/null || { echo "docker-plugins: Go is needed to build buildx and compose (https://go.dev/dl/)" >&2; exit 1; }
build_buildx
build_compose
echo "$config"
