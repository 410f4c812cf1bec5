#!/bin/bash
# The official image's environment contract, for the stand-in image:
# - every variable whose name looks like a setting (lower case, with a dot: discovery.type, http.port, ...)
#   becomes -E<name>=<value>;
# - DISABLE_SECURITY_PLUGIN=true turns the security plugin off; this image has none, so plugins.security.*
#   settings are dropped (OpenSearch refuses unknown settings) and it always serves plain HTTP;
# - OPENSEARCH_JAVA_OPTS is read by bin/opensearch itself (heap size and other JVM flags).
set -euo pipefail

if [[ "${1:-opensearch}" != opensearch ]]; then exec "$@"; fi
shift || true

plugin_present() { [[ -d "$OPENSEARCH_HOME/plugins/$1" ]]; }
opts=()
while IFS='=' read -r -d '' name value; do
  [[ "$name" =~ ^[a-z0-9_]+\.[a-z0-9_.]+$ ]] || continue
  if [[ "$name" == plugins.security.* ]] && ! plugin_present opensearch-security; then
    continue
  fi
  opts+=("-E$name=$value")
done < <(env -0)

if ! plugin_present opensearch-security; then
  if [[ "${DISABLE_SECURITY_PLUGIN:-false}" != true ]] && ! env | grep -qx 'plugins.security.disabled=true'; then
    echo "opensearch-docker-entrypoint: this stand-in image has no security plugin: plain HTTP, no users (set DISABLE_SECURITY_PLUGIN=true to say so)" >&2
  fi
elif [[ "${DISABLE_SECURITY_PLUGIN:-false}" == true ]]; then
  opts+=("-Eplugins.security.disabled=true")
fi

exec "$OPENSEARCH_HOME/bin/opensearch" "${opts[@]}" "$@"
