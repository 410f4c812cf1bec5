output "queue_url" {
  description = "URL of the notification queue (QUEUE_URL)."
  value       = aws_sqs_queue.notifications.url
}

output "queue_arn" {
  description = "ARN of the notification queue: the destination to add to an existing bucket notification or SNS subscription."
  value       = aws_sqs_queue.notifications.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue (DLQ_URL)."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "cluster_arn" {
  description = "ARN of the ECS cluster the service runs in."
  value       = local.cluster_arn
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.worker.name
}

output "task_definition_arn" {
  description = "ARN of the current task definition revision (for one-off `backfill` tasks with run-task)."
  value       = aws_ecs_task_definition.worker.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the worker."
  value       = aws_cloudwatch_log_group.worker.name
}

output "task_role_arn" {
  description = "ARN of the worker's task role (map it as a backend role if the domain uses fine-grained access control)."
  value       = aws_iam_role.task.arn
}

output "pause_parameter_name" {
  description = "SSM parameter of the soft pause switch (PAUSE_PARAMETER_NAME)."
  value       = aws_ssm_parameter.pause.name
}

output "opensearch_endpoint" {
  description = "OpenSearch endpoint host name (created or given)."
  value       = local.opensearch_endpoint
}

output "opensearch_dashboards_url" {
  description = "OpenSearch Dashboards URL."
  value       = "https://${local.opensearch_endpoint}/_dashboards"
}

output "ecr_repository_url" {
  description = "URL of the created ECR repository, or null."
  value       = var.create_ecr_repository ? aws_ecr_repository.this[0].repository_url : null
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify, or null."
  value       = local.alarm_topic_arn
}

output "worker_environment" {
  description = "The worker's environment as deployed: reuse it to run other CLI commands (backfill, status) against the same resources."
  value       = local.worker_environment
}
