output "queue_url" {
  description = "Notification queue URL."
  value       = module.cloudtrail_indexer.queue_url
}

output "ecr_repository_url" {
  description = "Push the worker image here."
  value       = module.cloudtrail_indexer.ecr_repository_url
}

output "opensearch_dashboards_url" {
  description = "Open in a browser from an allowed IP."
  value       = module.cloudtrail_indexer.opensearch_dashboards_url
}
