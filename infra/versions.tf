terraform {
  # 1.5 is the oldest release this module is checked with (the last MPL-licensed Terraform, 1.5.7); the
  # configuration uses nothing newer, so OpenTofu works as well.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.x: per-resource `region`, data.aws_region.*.region, and the ECS/OpenSearch arguments used here.
      version = ">= 6.0, < 7.0"
    }
  }
}
