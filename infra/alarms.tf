# Three alarms an operator must act on. Each notifies the alarm topic, if any.

resource "aws_sns_topic" "alarms" {
  # Unencrypted unless alarm_topic_kms_key_arn is set: CloudWatch cannot publish to a topic under the
  # AWS-managed aws/sns key, so only a customer managed key (with a policy for CloudWatch) works here.
  count             = var.create_alarm_topic ? 1 : 0
  name              = "${var.name}-alarms"
  kms_master_key_id = var.alarm_topic_kms_key_arn
  tags              = local.tags
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each  = var.create_alarm_topic ? toset(var.alarm_email_addresses) : toset([])
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name}-dead-letter-queue-not-empty"
  alarm_description   = "Log files the worker gave up on are waiting in ${aws_sqs_queue.dlq.name}. Read the worker's logs for the reason, fix, then redrive the messages to the notification queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "oldest_message_age" {
  alarm_name          = "${var.name}-notifications-waiting-too-long"
  alarm_description   = "A notification has waited more than ${var.oldest_message_age_alarm_seconds} s in ${aws_sqs_queue.notifications.name}: the worker is stuck, too slow, or paused (SSM parameter ${local.pause_parameter_name}, or the `paused` variable) and forgotten. Messages expire after ${var.message_retention_seconds} s."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.notifications.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.oldest_message_age_alarm_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "no_running_task" {
  alarm_name        = "${var.name}-no-running-task"
  alarm_description = "No worker task has run for 5 minutes although the service is not paused: look at the service's events (image pull, crash loop, circuit breaker)."
  namespace         = "ECS/ContainerInsights"
  metric_name       = "RunningTaskCount"
  dimensions = {
    ClusterName = local.cluster_name
    ServiceName = aws_ecs_service.worker.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # No data means no task reported: that is the condition this alarm exists for.
  treat_missing_data = "breaching"
  # Zero tasks is the intent while paused.
  actions_enabled = !var.paused
  alarm_actions   = local.alarm_actions
  ok_actions      = local.alarm_actions
  tags            = local.tags
}
