#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io when no dockerd is present (as root, via
# apt), and starts dockerd in the background when nothing answers `docker info` (no init system starts it
# on these machines). Leaves an engine that is already running alone. Its log goes to the cache folder.
set -euo pipefail
cache="${CTI_CACHE_DIR:-$HOME/.cache/cloudtrail-indexer}"
mkdir -p "$cache"
# Debian's client (20.10) drives the daemon's built-in BuildKit; another client first on PATH may not.
docker_cli=/usr/bin/docker
[[ -x "$docker_cli" ]] || docker_cli="$(command -v docker || true)"

if [[ -n "$docker_cli" ]] && "$docker_cli" info >/dev/null 2>&1; then
  echo "engine: Docker engine already running" >&2; exit 0
fi
if ! command -v dockerd >/dev/null; then
  [[ "$(id -u)" == 0 ]] || { echo "engine: no Docker engine; install one (sudo apt-get install docker.io) and start it" >&2; exit 1; }
  echo "engine: installing docker.io from apt" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >"$cache/apt-docker.log" 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >"$cache/apt-docker.log" 2>&1; } \
    || { echo "engine: apt-get install docker.io failed; see $cache/apt-docker.log" >&2; exit 1; }
  docker_cli=/usr/bin/docker
fi
[[ "$(id -u)" == 0 ]] || { echo "engine: dockerd is installed but not running, and only root can start it" >&2; exit 1; }
echo "engine: starting dockerd (log: $cache/dockerd.log)" >&2
# setsid: the daemon outlives this script and the CI run's process group; it is shared by later runs.
setsid dockerd >"$cache/dockerd.log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if "$docker_cli" info >/dev/null 2>&1; then echo "engine: dockerd answers" >&2; exit 0; fi
  sleep 1
done
echo "engine: dockerd did not answer within 60 s; see $cache/dockerd.log" >&2
exit 1
