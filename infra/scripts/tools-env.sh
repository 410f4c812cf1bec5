#!/usr/bin/env bash
# Sourced by the other scripts: pinned tool versions and where the built tools are cached.
# The cache lives outside the repository so a fresh clone reuses it and nothing large is committed.

TOOLS_DIR="${CLOUDTRAIL_INDEXER_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudtrail-indexer-tools}"
TOOLS_BIN="$TOOLS_DIR/bin"

# Terraform 1.5.7 is the last MPL-licensed release and installs with a plain `go install`.
TERRAFORM_VERSION="1.5.7"
TFLINT_VERSION="0.64.0"
TFLINT_RULESET_AWS_VERSION="0.48.0"
CHECKOV_VERSION="3.3.30"

# The AWS provider has no Go-installable tag (module path without /v6, replace directives), so it is
# built from a pinned pseudo-version of its module. AWS_PROVIDER_MODULE_VERSION must be the Go
# pseudo-version of a release commit; AWS_PROVIDER_VERSION is the version it is filed under in the mirror
# and must satisfy infra/versions.tf.
AWS_PROVIDER_MODULE="${AWS_PROVIDER_MODULE:-github.com/hashicorp/terraform-provider-aws}"
AWS_PROVIDER_MODULE_VERSION="${AWS_PROVIDER_MODULE_VERSION:-}"
AWS_PROVIDER_VERSION="${AWS_PROVIDER_VERSION:-6.0.0}"

# Where the real provider cannot be built, `terraform validate` runs against a schema-only stand-in
# (stub-provider/): the hashicorp/aws schema rebuilt from the npm package @cdktf/provider-aws, whose
# 21.22.1 release was generated from hashicorp/aws 6.25.0, served through terraform-plugin-go.
CDKTF_PROVIDER_AWS_VERSION="21.22.1"
CDKTF_PROVIDER_AWS_DIR="$TOOLS_DIR/cdktf-provider-aws-$CDKTF_PROVIDER_AWS_VERSION"
STUB_PROVIDER_VERSION="6.25.0"
TERRAFORM_PLUGIN_GO_VERSION="v0.22.0"
STUB_PROVIDER_MIRROR="$TOOLS_DIR/stub-provider-mirror"
STUB_TF_CLI_CONFIG="$TOOLS_DIR/terraformrc-stub"

PROVIDER_MIRROR="$TOOLS_DIR/provider-mirror"
TF_CLI_CONFIG="$TOOLS_DIR/terraformrc"
TFLINT_PLUGIN_DIR_CACHE="$TOOLS_DIR/tflint-plugins"
CHECKOV_VENV="$TOOLS_DIR/checkov-venv"

# Long builds share a 2-core machine: lowest priority, bounded parallelism.
GO_BUILD_PARALLELISM="${GO_BUILD_PARALLELISM:-1}"

# A TF_CLI_CONFIG_FILE that names a missing file only makes every terraform call print a warning.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi
