# Two roles. The task role is what the worker's SDK calls run as, granted exactly the calls it makes
# (scripts/check-iam.ts compares this policy with the code: `npm run iam:check`, also a unit test):
#   S3     GetObject under <prefix>/AWSLogs/ (+ ListBucket on the bucket, for backfill), kms:Decrypt for SSE-KMS
#   SQS    receive / delete / change visibility on the queue; send to the DLQ (poison messages)
#   SSM    read the pause parameter (pause / resume write it with an operator's credentials)
#   ES     HTTP data-plane calls on the domain, DescribeDomain (automatic pause during domain changes)
# The execution role is what ECS uses to pull the image and write the logs.

data "aws_iam_policy_document" "task_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy guard documented for task roles: only ECS acting for this account may assume it.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# The execution role keeps AWS's documented trust policy: the ECS agent's assume-role request is not
# documented to carry the source keys, and a condition on an absent key would stop every task start.
data "aws_iam_policy_document" "execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# Task role
# ---------------------------------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "cloudtrail-indexer worker: reads CloudTrail files, consumes the queue, writes OpenSearch."
  assume_role_policy = data.aws_iam_policy_document.task_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ReadCloudTrailLogFiles"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${local.logs_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.enable_backfill_listing ? [1] : []
    content {
      sid       = "ListCloudTrailLogFilesForBackfill"
      actions   = ["s3:ListBucket"]
      resources = [local.bucket_arn]
      # No s3:prefix condition: backfill first checks the bucket with HeadBucket, which S3 authorizes as
      # s3:ListBucket without any prefix, and would then fail with AccessDenied.
    }
  }

  dynamic "statement" {
    for_each = var.cloudtrail_kms_key_arn == null ? [] : [var.cloudtrail_kms_key_arn]
    content {
      sid       = "DecryptCloudTrailLogFiles"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      # Only for reads through S3, not direct use of the key.
      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["s3.*.amazonaws.com"]
      }
    }
  }

  statement {
    sid = "ConsumeNotifications"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = [aws_sqs_queue.notifications.arn]
  }

  statement {
    sid       = "MovePoisonMessagesToDeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }

  dynamic "statement" {
    for_each = var.sqs_kms_key_arn == null ? [] : [var.sqs_kms_key_arn]
    content {
      sid       = "UseQueueEncryptionKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["sqs.*.amazonaws.com"]
      }
    }
  }

  statement {
    sid       = "ReadPauseSwitch"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.pause.arn]
  }

  statement {
    sid = "IndexIntoOpenSearch"
    # No ESHttpDelete/ESHttpPatch: the worker creates indexes and templates and bulk-writes, it never deletes.
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
    resources = [local.opensearch_domain_arn, "${local.opensearch_domain_arn}/*"]
  }

  statement {
    sid       = "WatchDomainForAutomaticPause"
    actions   = ["es:DescribeDomain"]
    resources = [local.opensearch_domain_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "${var.name}-task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---------------------------------------------------------------------------------------------------------
# Execution role
# ---------------------------------------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  description        = "ECS agent for cloudtrail-indexer: pulls the image, writes the worker's logs."
  assume_role_policy = data.aws_iam_policy_document.execution_assume.json
  tags               = local.tags
}

locals {
  pull_repository_arns = concat(var.create_ecr_repository ? [aws_ecr_repository.this[0].arn] : [], var.ecr_repository_arns)
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteWorkerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.pull_repository_arns) > 0 ? [1] : []
    content {
      sid = "AuthenticateToEcr"
      # GetAuthorizationToken has no resource-level permissions.
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.pull_repository_arns) > 0 ? [1] : []
    content {
      sid       = "PullWorkerImage"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
      resources = local.pull_repository_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.name}-task-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
