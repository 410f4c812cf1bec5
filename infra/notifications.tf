# What feeds the queue: the CloudTrail bucket's ObjectCreated events, and/or an SNS topic.

# Optional because a bucket has exactly one notification configuration: this resource owns all of it and
# replaces whatever is there. See README "Existing bucket notifications".
resource "aws_s3_bucket_notification" "cloudtrail" {
  count  = var.create_bucket_notification ? 1 : 0
  bucket = var.cloudtrail_bucket_name

  queue {
    id            = "${var.name}-cloudtrail-logs"
    queue_arn     = aws_sqs_queue.notifications.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = local.logs_prefix
  }

  # S3 validates the destination when the configuration is written: the queue policy must exist first.
  depends_on = [aws_sqs_queue_policy.notifications]
}

resource "aws_sns_topic_subscription" "cloudtrail" {
  count     = var.sns_topic_arn != null && var.subscribe_to_sns_topic ? 1 : 0
  topic_arn = var.sns_topic_arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.notifications.arn
  # The worker decodes S3 event notifications; raw delivery spares it the SNS envelope.
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.notifications]
}
