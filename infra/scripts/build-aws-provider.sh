#!/usr/bin/env bash
# Builds the hashicorp/aws Terraform provider from source into an unpacked filesystem mirror in the tool
# cache, and writes a CLI config (terraformrc) that installs it from there, so `terraform init` needs no
# registry. Long and heavy (tens of minutes, several GB of RAM, a ~1 GB binary before stripping): run it in
# the background, e.g.  nohup infra/scripts/build-aws-provider.sh > /tmp/aws-provider-build.log 2>&1 &
#
# Source, first match wins:
#   AWS_PROVIDER_SOURCE_DIR      a checkout of github.com/hashicorp/terraform-provider-aws at a release tag
#   AWS_PROVIDER_MODULE_VERSION  a Go pseudo-version of a release commit, fetched from the Go module proxy:
#                                v1.60.1-0.<UTC commit time YYYYMMDDhhmmss>-<first 12 hex of the commit>
#                                (`go install` cannot be used: the module path has no /v6 suffix and the
#                                go.mod has replace directives, so it is built inside the downloaded module)
# AWS_PROVIDER_VERSION (default in tools-env.sh) is the version the binary reports and is filed under; it
# must satisfy infra/versions.tf (>= 6.0, < 7.0). Set it to the release you build, e.g. 6.36.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools-env.sh
. "$here/tools-env.sh"

command -v go >/dev/null || { echo "build-aws-provider: needs Go (https://go.dev/dl/)" >&2; exit 1; }
platform="$(go env GOOS)_$(go env GOARCH)"
out_dir="$PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/$platform"
binary="$out_dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5"

write_cli_config() {
  cat >"$TF_CLI_CONFIG" <<HCL
# Written by infra/scripts/build-aws-provider.sh: install hashicorp/aws from the local mirror only.
provider_installation {
  filesystem_mirror {
    path    = "$PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
HCL
  echo "build-aws-provider: CLI config $TF_CLI_CONFIG (use with TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG)"
}

if [[ -x "$binary" ]]; then
  echo "build-aws-provider: $binary already built"
  write_cli_config
  exit 0
fi

if [[ -n "${AWS_PROVIDER_SOURCE_DIR:-}" ]]; then
  src="$AWS_PROVIDER_SOURCE_DIR"
elif [[ -n "$AWS_PROVIDER_MODULE_VERSION" ]]; then
  echo "build-aws-provider: downloading $AWS_PROVIDER_MODULE@$AWS_PROVIDER_MODULE_VERSION (about 1 GB of source and dependencies)"
  if ! json="$(go mod download -json "$AWS_PROVIDER_MODULE@$AWS_PROVIDER_MODULE_VERSION")"; then
    echo "$json" >&2
    echo "build-aws-provider: the Go module proxy did not serve $AWS_PROVIDER_MODULE@$AWS_PROVIDER_MODULE_VERSION." >&2
    echo "  Build from a checkout instead: AWS_PROVIDER_SOURCE_DIR=/path/to/terraform-provider-aws $0" >&2
    exit 1
  fi
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
else
  cat >&2 <<MSG
build-aws-provider: nothing to build from. Set one of
  AWS_PROVIDER_SOURCE_DIR=/path/to/terraform-provider-aws   (a checkout at a v6 release tag)
  AWS_PROVIDER_MODULE_VERSION=v1.60.1-0.<YYYYMMDDhhmmss>-<commit12>   (pseudo-version of a v6 release commit)
and AWS_PROVIDER_VERSION=<that release, e.g. 6.36.0>.
MSG
  exit 1
fi
[[ -f "$src/go.mod" ]] || { echo "build-aws-provider: $src is not the provider's module" >&2; exit 1; }

mkdir -p "$out_dir"
start=$SECONDS
echo "build-aws-provider: building in $src (nice 19, -p $GO_BUILD_PARALLELISM); this takes a long time"
(
  cd "$src"
  GOTOOLCHAIN="${GOTOOLCHAIN:-local}" nice -n 19 go build -p "$GO_BUILD_PARALLELISM" -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$AWS_PROVIDER_VERSION" \
    -o "$binary.partial" .
)
mv -f "$binary.partial" "$binary"
echo "build-aws-provider: built $binary in $((SECONDS - start)) s ($(du -h "$binary" | cut -f1))"
write_cli_config
