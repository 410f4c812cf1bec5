# The soft pause switch: the worker stops receiving (tasks keep running) while it reads "true". Written by
# the worker's `pause`/`resume` commands and by its automatic pause during domain changes.

resource "aws_ssm_parameter" "pause" {
  # checkov:skip=CKV2_AWS_34:Not a secret: a "true"/"false" switch the worker reads and writes as a plain String.
  name        = local.pause_parameter_name
  description = "cloudtrail-indexer pause switch: \"true\" stops the worker from receiving, \"false\" resumes it."
  type        = "String"
  value       = "false"
  tags        = local.tags

  lifecycle {
    # The worker and its CLI own the value after creation.
    ignore_changes = [value]
  }
}
