#!/usr/bin/env bash
# Measures a cold CI run on a disposable machine of the development kind (Debian, root): no Docker engine,
# an empty image store, a fresh clone, and an empty HOME (so the npm, Go, pip and Maven caches and ours are
# empty). DESTRUCTIVE: it uninstalls docker.io and deletes every image, container and volume of the engine.
# Usage: scripts/ci/cold-run.sh --really   (prints the part table and the total at the end)
set -u
[[ "${1:-}" == "--really" ]] || { echo "cold-run: this uninstalls docker.io and empties /var/lib/docker; rerun with --really" >&2; exit 2; }
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
pkill -x dockerd 2>/dev/null; sleep 2
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q docker.io >/dev/null 2>&1
apt-get clean
# /var/lib/docker may be a mount point (it is on these machines): empty it rather than remove it.
find /var/lib/docker -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null
cold="$(mktemp -d)"
mkdir -p "$cold/home"
git clone -q "$repo" "$cold/repo" && cd "$cold/repo" || exit 1
echo "cold-run: at $(git rev-parse --short HEAD), started $(date -u +%T)"
started=$(date +%s)
HOME="$cold/home" PYENV_ROOT="${PYENV_ROOT:-/root/.pyenv}" CI=true bash .ci/run
rc=$?
echo "cold-run: exit $rc after $(( $(date +%s) - started )) s, ended $(date -u +%T)"
exit $rc
