#!/usr/bin/env bash
# Stand-in for debian:trixie-slim: a minbase debootstrap of trixie from the Debian mirror apt uses, with
# the docs, man pages, locales and apt lists removed as in Docker's slim images, imported as one layer.
#   build.sh TAG    (as root; needs debootstrap)
set -euo pipefail
tag="$1"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase trixie "$root" "$mirror" >"$root.log" 2>&1 || { cat "$root.log" >&2; exit 1; }
rm -f "$root.log"
# What the slim images leave out, and keep out of later apt installs.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/docker-no-recommends"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log "$root"/tmp/*
printf 'deb %s trixie main\ndeb %s trixie-updates main\ndeb http://deb.debian.org/debian-security trixie-security main\n' \
  "$mirror" "$mirror" >"$root/etc/apt/sources.list"
tar -C "$root" --numeric-owner -c . | "${DOCKER_CLI:-docker}" import \
  --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "${@:2}" - "$tag" >/dev/null
