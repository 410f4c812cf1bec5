# Shared lookups and the names every topic file uses. Resources live in the topic files:
#   sqs.tf (queues) · notifications.tf (bucket/SNS -> queue) · iam.tf · ecr.tf · ecs.tf · autoscaling.tf
#   alarms.tf · opensearch.tf · ssm.tf

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # CloudTrail writes <prefix>/AWSLogs/<account or org>/...: everything the worker may read sits under it.
  bucket_prefix  = trim(var.cloudtrail_bucket_prefix, "/")
  logs_prefix    = local.bucket_prefix == "" ? "AWSLogs/" : "${local.bucket_prefix}/AWSLogs/"
  bucket_arn     = "arn:${local.partition}:s3:::${var.cloudtrail_bucket_name}"
  bucket_account = coalesce(var.cloudtrail_bucket_account_id, local.account_id)

  create_cluster = var.cluster_arn == null
  cluster_arn    = local.create_cluster ? aws_ecs_cluster.this[0].arn : var.cluster_arn
  # arn:aws:ecs:<region>:<account>:cluster/<name>
  cluster_name = element(split("/", local.cluster_arn), 1)

  image = var.container_image != null ? var.container_image : (
    var.create_ecr_repository && var.image_tag != null ? "${aws_ecr_repository.this[0].repository_url}:${var.image_tag}" : null
  )

  pause_parameter_name = coalesce(var.pause_parameter_name, "/${var.name}/paused")

  # Without a created or given domain these fall back to placeholders, so that the plan gets as far as the
  # precondition on the service (ecs.tf), whose message says what is missing.
  opensearch_domain_arn  = var.create_opensearch_domain ? aws_opensearch_domain.this[0].arn : coalesce(var.opensearch_domain_arn, "arn:${local.partition}:es:${local.region}:${local.account_id}:domain/unset")
  opensearch_endpoint    = var.create_opensearch_domain ? aws_opensearch_domain.this[0].endpoint : trimsuffix(trimprefix(coalesce(var.opensearch_endpoint, "unset"), "https://"), "/")
  opensearch_domain_name = var.create_opensearch_domain ? aws_opensearch_domain.this[0].domain_name : element(split("/", local.opensearch_domain_arn), 1)

  alarm_topic_arn = var.create_alarm_topic ? aws_sns_topic.alarms[0].arn : var.alarm_topic_arn
  alarm_actions   = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]

  # The Fargate maximum. The worker drains for SHUTDOWN_GRACE_SECONDS after SIGTERM, then exits; the
  # margin covers releasing in-flight messages and flushing logs before ECS sends SIGKILL.
  stop_timeout_seconds = 120

  # The worker's configuration contract (src/config.ts). Managed names win over extra_environment.
  worker_environment = merge(var.extra_environment, {
    AWS_REGION               = local.region
    QUEUE_URL                = aws_sqs_queue.notifications.url
    DLQ_URL                  = aws_sqs_queue.dlq.url
    OPENSEARCH_URL           = "https://${local.opensearch_endpoint}"
    OPENSEARCH_AUTH          = "sigv4"
    OPENSEARCH_SIGV4_SERVICE = "es"
    OPENSEARCH_DOMAIN_NAME   = local.opensearch_domain_name
    PAUSE_PARAMETER_NAME     = local.pause_parameter_name
    # Keys outside it would fail GetObject (the task role reads nothing else): skip them up front.
    KEY_PREFIX = local.logs_prefix
    # The worker's heartbeat is sized from the queue's visibility timeout, so both come from one input.
    VISIBILITY_TIMEOUT_SECONDS = tostring(var.visibility_timeout_seconds)
    SHUTDOWN_GRACE_SECONDS     = tostring(var.shutdown_grace_seconds)
    HEALTH_PORT                = tostring(var.health_port)
    INDEX_PREFIX               = var.index_prefix
    LOG_LEVEL                  = var.log_level
  })

  tags = merge({ "app" = "cloudtrail-indexer" }, var.tags)
}
