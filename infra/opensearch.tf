# Optional Amazon OpenSearch Service domain, with the old CloudFormation template's knobs (name, instance
# type, gp3 storage size, allowed IPs for browser access). Otherwise the worker writes to an existing domain
# given by opensearch_endpoint and opensearch_domain_arn.

locals {
  # Built from the name, not read from the domain, so the log and access policies need not wait for it.
  created_domain_arn = "arn:${local.partition}:es:${local.region}:${local.account_id}:domain/${var.opensearch_domain_name}"
}

resource "aws_cloudwatch_log_group" "opensearch" {
  count             = var.create_opensearch_domain ? 1 : 0
  name              = "/aws/opensearch/${var.opensearch_domain_name}/application"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = local.tags
}

data "aws_iam_policy_document" "opensearch_logs" {
  count = var.create_opensearch_domain ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.opensearch[0].arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["es.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.created_domain_arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "opensearch" {
  count           = var.create_opensearch_domain ? 1 : 0
  policy_name     = "${var.name}-opensearch-logs"
  policy_document = data.aws_iam_policy_document.opensearch_logs[0].json
}

resource "aws_opensearch_domain" "this" {
  # checkov:skip=CKV_AWS_137:Public endpoint by design, as in the old template: browser access to Dashboards by IP allow-list; every other request must be SigV4-signed by an allowed principal.
  # checkov:skip=CKV_AWS_248:Not in a VPC (see CKV_AWS_137), so there is no security group to choose.
  # checkov:skip=CKV2_AWS_52:Access control is the domain access policy (task role + IP allow-list); fine-grained access control would need role mapping inside OpenSearch, outside Terraform.
  # checkov:skip=CKV_AWS_318:One t3.small.search data node by default (the old template's cost profile); dedicated masters are for multi-node production domains.
  # checkov:skip=CKV2_AWS_59:Same reason as CKV_AWS_318: no dedicated master nodes on the default single-node domain.
  # checkov:skip=CKV_AWS_317:Audit logs require fine-grained access control, which this domain does not use (see CKV2_AWS_52); application logs are published.
  count          = var.create_opensearch_domain ? 1 : 0
  domain_name    = var.opensearch_domain_name
  engine_version = var.opensearch_engine_version

  cluster_config {
    instance_type  = var.opensearch_instance_type
    instance_count = var.opensearch_instance_count
  }

  ebs_options {
    ebs_enabled = true
    volume_type = var.opensearch_volume_type
    volume_size = var.opensearch_volume_size_gb
  }

  encrypt_at_rest {
    enabled    = true
    kms_key_id = var.opensearch_kms_key_arn
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }

  log_publishing_options {
    log_type                 = "ES_APPLICATION_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.opensearch[0].arn
  }

  tags = local.tags

  depends_on = [aws_cloudwatch_log_resource_policy.opensearch]
}

data "aws_iam_policy_document" "opensearch_access" {
  count = var.create_opensearch_domain ? 1 : 0

  statement {
    sid       = "Worker"
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
    resources = ["${local.created_domain_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.task.arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.opensearch_allowed_ips) > 0 ? [1] : []
    content {
      sid       = "BrowserAccessFromAllowedIps"
      actions   = ["es:ESHttp*"]
      resources = ["${local.created_domain_arn}/*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "IpAddress"
        variable = "aws:SourceIp"
        values   = var.opensearch_allowed_ips
      }
    }
  }
}

resource "aws_opensearch_domain_policy" "this" {
  count           = var.create_opensearch_domain ? 1 : 0
  domain_name     = aws_opensearch_domain.this[0].domain_name
  access_policies = data.aws_iam_policy_document.opensearch_access[0].json
}
