# tflint configuration for infra/ (run by infra/scripts/check.sh).
# The AWS ruleset has no `source`/`version` on purpose: `tflint --init` would fetch it from GitHub, so
# infra/scripts/build-tools.sh builds it and check.sh points TFLINT_PLUGIN_DIR at it.

config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

plugin "aws" {
  enabled = true
}
