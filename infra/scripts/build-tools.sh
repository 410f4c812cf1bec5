#!/usr/bin/env bash
# Builds the Terraform check tools into the cache (see tools-env.sh) without the Terraform or
# GitHub registries: Terraform and tflint (+ the AWS ruleset) from the Go module proxy, checkov from PyPI,
# and the provider schema package from npm, from which `stub` builds the schema-only stand-in provider.
# Idempotent: a tool already at the pinned version is not rebuilt. Usage:
#   infra/scripts/build-tools.sh [terraform] [tflint] [checkov] [schema] [stub]   (default: all)
# The AWS provider is separate and much heavier: infra/scripts/build-aws-provider.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools-env.sh
. "$here/tools-env.sh"

mkdir -p "$TOOLS_BIN" "$TFLINT_PLUGIN_DIR_CACHE"
export GOBIN="$TOOLS_BIN" GOFLAGS="${GOFLAGS:-} -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
go_build() { nice -n 19 go install -p "$GO_BUILD_PARALLELISM" -ldflags "-s -w" "$@"; }

# Builds a module's main package inside the downloaded module itself. For modules `go install mod@version`
# refuses (replace directives) or cannot resolve here (the proxy answers 403 to the version list that
# `go install` reads for deprecation notices, as for tflint-ruleset-aws). Usage: go_build_module MOD VERSION OUT
go_build_module() {
  local dir
  dir="$(go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -f "$dir/go.mod" ]] || { echo "build-tools: could not download $1@$2" >&2; return 1; }
  (cd "$dir" && nice -n 19 go build -p "$GO_BUILD_PARALLELISM" -ldflags "-s -w" -o "$3" .)
}

timed() {
  local name="$1"; shift
  local start=$SECONDS
  "$@"
  echo "build-tools: $name ready in $((SECONDS - start)) s"
}

build_terraform() {
  # Versions are compared on captured output: `cmd | grep -q` under pipefail fails when grep exits first.
  if [[ -x "$TOOLS_BIN/terraform" && "$("$TOOLS_BIN/terraform" version 2>/dev/null)" == *"v$TERRAFORM_VERSION"* ]]; then
    echo "build-tools: terraform $TERRAFORM_VERSION already built"; return
  fi
  command -v go >/dev/null || { echo "build-tools: terraform needs Go (https://go.dev/dl/)" >&2; return 1; }
  go_build "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
}

build_tflint() {
  if [[ -x "$TOOLS_BIN/tflint" && "$("$TOOLS_BIN/tflint" --version 2>/dev/null)" == *"$TFLINT_VERSION"* ]] \
    && [[ -x "$TFLINT_PLUGIN_DIR_CACHE/tflint-ruleset-aws" ]] \
    && [[ "$(cat "$TFLINT_PLUGIN_DIR_CACHE/.aws-version" 2>/dev/null)" == "$TFLINT_RULESET_AWS_VERSION" ]]; then
    echo "build-tools: tflint $TFLINT_VERSION + ruleset-aws $TFLINT_RULESET_AWS_VERSION already built"; return
  fi
  command -v go >/dev/null || { echo "build-tools: tflint needs Go (https://go.dev/dl/)" >&2; return 1; }
  go_build "github.com/terraform-linters/tflint@v$TFLINT_VERSION"
  # `tflint --init` would download the ruleset from GitHub; a plugin without `source` in .tflint.hcl is
  # looked up by name in TFLINT_PLUGIN_DIR instead, so build it and put it there.
  go_build_module github.com/terraform-linters/tflint-ruleset-aws "v$TFLINT_RULESET_AWS_VERSION" \
    "$TFLINT_PLUGIN_DIR_CACHE/tflint-ruleset-aws"
  echo "$TFLINT_RULESET_AWS_VERSION" >"$TFLINT_PLUGIN_DIR_CACHE/.aws-version"
}

build_checkov() {
  if [[ -x "$CHECKOV_VENV/bin/checkov" && "$("$CHECKOV_VENV/bin/checkov" --version 2>/dev/null)" == "$CHECKOV_VERSION" ]]; then
    echo "build-tools: checkov $CHECKOV_VERSION already installed"; return
  fi
  command -v python3 >/dev/null || { echo "build-tools: checkov needs Python 3.9+ (apt-get install python3 python3-venv)" >&2; return 1; }
  python3 -m venv "$CHECKOV_VENV"
  nice -n 19 "$CHECKOV_VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
}

fetch_schema() {
  if [[ -f "$CDKTF_PROVIDER_AWS_DIR/lib/ecs-service/index.js" ]]; then
    echo "build-tools: @cdktf/provider-aws $CDKTF_PROVIDER_AWS_VERSION already unpacked"; return
  fi
  command -v npm >/dev/null || { echo "build-tools: the schema package needs npm" >&2; return 1; }
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "@cdktf/provider-aws@$CDKTF_PROVIDER_AWS_VERSION" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$CDKTF_PROVIDER_AWS_DIR"
  mv "$tmp/package" "$CDKTF_PROVIDER_AWS_DIR"
  rm -rf "$tmp"
}

targets=("$@")
# Cheapest first: on a cold machine CI gives this script 40 minutes at nice 19, and Terraform alone took
# 1,896 s of them in a cold run; checkov (PyPI) and the stand-in provider (about a minute) then missed the
# deadline, so validate and checkov were skipped. In this order only the tflint ruleset would miss it.
[[ ${#targets[@]} -gt 0 ]] || targets=(checkov schema stub terraform tflint)
for t in "${targets[@]}"; do
  case "$t" in
    terraform) timed terraform build_terraform ;;
    tflint) timed tflint build_tflint ;;
    checkov) timed checkov build_checkov ;;
    schema) timed schema fetch_schema ;;
    stub) timed stub "$here/build-stub-provider.sh" ;;
    *) echo "build-tools: unknown tool '$t' (terraform, tflint, checkov, schema, stub)" >&2; exit 2 ;;
  esac
done
