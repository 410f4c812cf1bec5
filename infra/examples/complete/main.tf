# A complete deployment: new cluster and ECR repository, a new OpenSearch domain, the bucket notification,
# and an alarm topic that mails the on-call address. Copy this folder, adjust the values, then:
#   terraform init && terraform apply
# (see ../../README.md for pushing the image and the first run)

provider "aws" {
  region = var.region
}

module "cloudtrail_indexer" {
  source = "../.."

  name = "cloudtrail-indexer"

  cloudtrail_bucket_name     = var.cloudtrail_bucket_name
  create_bucket_notification = true

  create_ecr_repository = true
  image_tag             = var.image_tag

  subnet_ids         = var.subnet_ids
  security_group_ids = var.security_group_ids

  create_opensearch_domain = true
  opensearch_allowed_ips   = var.opensearch_allowed_ips

  create_alarm_topic    = true
  alarm_email_addresses = var.alarm_email_addresses

  max_tasks = 4
  paused    = false

  tags = { environment = "example" }
}
