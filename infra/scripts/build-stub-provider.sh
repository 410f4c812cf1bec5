#!/usr/bin/env bash
# Builds the schema-only stand-in for hashicorp/aws (stub-provider/) into its own filesystem mirror and
# writes a CLI config for it, so check.sh can run `terraform validate` where the real provider cannot be
# built (see README, "Checks"). Needs Go, Python 3 and the schema package (build-tools.sh schema).
# Takes about a minute; idempotent (rebuilt when main.go, gen-schema.py or the versions change).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools-env.sh
. "$here/tools-env.sh"

command -v go >/dev/null || { echo "build-stub-provider: needs Go (https://go.dev/dl/)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "build-stub-provider: needs python3" >&2; exit 1; }
[[ -f "$CDKTF_PROVIDER_AWS_DIR/lib/ecs-service/index.js" ]] || "$here/build-tools.sh" schema

platform="$(go env GOOS)_$(go env GOARCH)"
binary="$STUB_PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws/$STUB_PROVIDER_VERSION/$platform/terraform-provider-aws_v${STUB_PROVIDER_VERSION}_x5"
stamp="$(cat "$here/stub-provider/main.go" "$here/stub-provider/gen-schema.py" \
  <(echo "$CDKTF_PROVIDER_AWS_VERSION $TERRAFORM_PLUGIN_GO_VERSION") | sha256sum | cut -d' ' -f1)"

stamp_file="$TOOLS_DIR/stub-provider.stamp" # outside the mirror, whose folders must hold only the plugin
if [[ -x "$binary" && "$(cat "$stamp_file" 2>/dev/null)" == "$stamp" ]]; then
  echo "build-stub-provider: $binary up to date"
else
  start=$SECONDS
  work="$TOOLS_DIR/stub-provider-build"
  rm -rf "$work"
  mkdir -p "$work" "$(dirname "$binary")"
  cp "$here/stub-provider/main.go" "$work/"
  python3 "$here/stub-provider/gen-schema.py" "$CDKTF_PROVIDER_AWS_DIR/lib" "$work/schema.json"
  # go.mod and go.sum are made here, not kept in the repository: the stub has one direct dependency.
  (
    cd "$work"
    export GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    {
      go mod init cloudtrail-indexer/stub-provider &&
        go get "github.com/hashicorp/terraform-plugin-go@$TERRAFORM_PLUGIN_GO_VERSION" &&
        go mod tidy
    } >go-mod.log 2>&1 || { cat go-mod.log >&2; exit 1; }
    nice -n 19 go build -p "$GO_BUILD_PARALLELISM" -trimpath -ldflags "-s -w" -o "$binary" .
  )
  echo "$stamp" >"$stamp_file"
  echo "build-stub-provider: built $binary in $((SECONDS - start)) s"
fi

cat >"$STUB_TF_CLI_CONFIG" <<HCL
# Written by infra/scripts/build-stub-provider.sh: hashicorp/aws from the schema-only stand-in's mirror.
provider_installation {
  filesystem_mirror {
    path    = "$STUB_PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
HCL
