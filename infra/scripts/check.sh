#!/usr/bin/env bash
# Runs every infra/ check whose tool is present and says plainly which it skipped and why.
# Exit status: 0 when every check that ran passed (skipped ones do not fail the run), 1 when any failed.
# Tools come from the cache that infra/scripts/build-tools.sh and build-aws-provider.sh fill, or PATH.
#   fmt       terraform fmt -check -recursive
#   validate  terraform init -backend=false + validate (root module and examples): the provider built from
#             source if present, else the schema-only stand-in (stub-provider/)
#   tflint    terraform ruleset (preset "all") + AWS ruleset, root module and examples
#   checkov   every finding fixed or suppressed inline with a reason
# INFRA_CHECK_USE_REGISTRY=1 lets validate download the provider from the Terraform registry instead.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
infra="$(cd "$here/.." && pwd)"
# shellcheck source=tools-env.sh
. "$here/tools-env.sh"
export PATH="$TOOLS_BIN:$PATH"
modules=("$infra" "$infra/examples/complete")

passed=() failed=() skipped=()
section() { printf '\n== infra check: %s\n' "$1"; }
skip() {
  section "$1 (skipped)"
  echo "SKIPPED $1: $2"
  skipped+=("$1 ($2)")
}
record() {
  if [[ $2 -eq 0 ]]; then passed+=("$1"); echo "PASSED $1"; else failed+=("$1"); echo "FAILED $1"; fi
}

terraform_cli=""
for candidate in terraform tofu; do
  if command -v "$candidate" >/dev/null; then terraform_cli="$candidate"; break; fi
done

# --- fmt -------------------------------------------------------------------------------------------------
if [[ -n "$terraform_cli" ]]; then
  section "fmt ($($terraform_cli version | head -1))"
  "$terraform_cli" fmt -check -recursive -diff "$infra"
  record fmt $?
else
  skip fmt "no terraform or tofu on PATH or in $TOOLS_BIN (infra/scripts/build-tools.sh terraform)"
fi

# --- validate --------------------------------------------------------------------------------------------
# The real provider when built (build-aws-provider.sh), else the schema-only stand-in (build-stub-provider.sh):
# Terraform core then validates names, types, required arguments, blocks and references against the
# hashicorp/aws 6.25.0 schema, but the provider's own value checks do not run (README, "Checks").
provider_binary="$(find "$PROVIDER_MIRROR" -name 'terraform-provider-aws_v*' -type f 2>/dev/null | head -1)"
stub_binary="$(find "$STUB_PROVIDER_MIRROR" -name 'terraform-provider-aws_v*' -type f 2>/dev/null | head -1)"
validate_config=""
if [[ -n "$provider_binary" ]]; then
  validate_config="$TF_CLI_CONFIG"
  validate_label="hashicorp/aws built from source: $provider_binary"
elif [[ "${INFRA_CHECK_USE_REGISTRY:-0}" == 1 ]]; then
  validate_label="hashicorp/aws from the Terraform registry"
elif [[ -n "$stub_binary" ]]; then
  validate_config="$STUB_TF_CLI_CONFIG"
  validate_label="schema-only stand-in for hashicorp/aws $STUB_PROVIDER_VERSION (provider-side value checks do not run)"
fi
if [[ -z "$terraform_cli" ]]; then
  skip validate "no terraform or tofu"
elif [[ -z "${validate_label:-}" ]]; then
  skip validate "no hashicorp/aws provider: neither built (infra/scripts/build-aws-provider.sh) nor the stand-in (infra/scripts/build-tools.sh stub), and INFRA_CHECK_USE_REGISTRY is not 1"
else
  section "validate ($validate_label)"
  # Work on a copy: init writes .terraform/ and a lock file, neither of which belongs in the repository.
  work="$(mktemp -d)"
  cp -r "$infra" "$work/infra"
  status=0
  for module in "${modules[@]}"; do
    dir="$work/infra${module#"$infra"}"
    echo "-- infra${module#"$infra"}"
    if ! TF_CLI_CONFIG_FILE="${validate_config:-${TF_CLI_CONFIG_FILE:-}}" \
      "$terraform_cli" -chdir="$dir" init -backend=false -input=false -no-color >"$work/init.log" 2>&1; then
      cat "$work/init.log"
      status=1
      continue
    fi
    TF_CLI_CONFIG_FILE="${validate_config:-${TF_CLI_CONFIG_FILE:-}}" "$terraform_cli" -chdir="$dir" validate -no-color || status=1
  done
  rm -rf "$work"
  record validate $status
fi

# --- tflint ----------------------------------------------------------------------------------------------
if command -v tflint >/dev/null; then
  config="$infra/.tflint.hcl"
  if [[ -x "$TFLINT_PLUGIN_DIR_CACHE/tflint-ruleset-aws" ]]; then
    export TFLINT_PLUGIN_DIR="$TFLINT_PLUGIN_DIR_CACHE"
    section "tflint ($(tflint --version | head -1), AWS ruleset $(cat "$TFLINT_PLUGIN_DIR_CACHE/.aws-version" 2>/dev/null))"
  else
    # Lint with the terraform ruleset alone rather than not at all, and say so.
    config="$(mktemp --suffix=.hcl)"
    sed '/^plugin "aws"/,/^}/d' "$infra/.tflint.hcl" >"$config"
    section "tflint ($(tflint --version | head -1)) WITHOUT the AWS ruleset: not in $TFLINT_PLUGIN_DIR_CACHE (infra/scripts/build-tools.sh tflint)"
  fi
  status=0
  for module in "${modules[@]}"; do
    echo "-- infra${module#"$infra"}"
    tflint --chdir="$module" --config="$config" --format=compact || status=1
  done
  record tflint $status
else
  skip tflint "no tflint on PATH or in $TOOLS_BIN (infra/scripts/build-tools.sh tflint)"
fi

# --- checkov ---------------------------------------------------------------------------------------------
checkov_bin="$CHECKOV_VENV/bin/checkov"
[[ -x "$checkov_bin" ]] || checkov_bin="$(command -v checkov || true)"
if [[ -n "$checkov_bin" ]]; then
  section "checkov $("$checkov_bin" --version 2>/dev/null)"
  # Offline: no policy download, no guideline lookups.
  BC_SKIP_MAPPING=TRUE "$checkov_bin" --directory "$infra" --framework terraform --quiet --compact \
    --skip-download --download-external-modules false
  record checkov $?
else
  skip checkov "no checkov in $CHECKOV_VENV or on PATH (infra/scripts/build-tools.sh checkov)"
fi

# --- summary ---------------------------------------------------------------------------------------------
section summary
echo "passed:  ${passed[*]:-none}"
echo "failed:  ${failed[*]:-none}"
if [[ ${#skipped[@]} -gt 0 ]]; then
  echo "skipped:"
  printf '  - %s\n' "${skipped[@]}"
else
  echo "skipped: none"
fi
[[ ${#failed[@]} -eq 0 ]]
