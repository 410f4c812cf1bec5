# ---------------------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------------------

variable "name" {
  description = "Name and prefix of every resource this module creates (queues, roles, cluster, service, log group, alarms)."
  type        = string
  default     = "cloudtrail-indexer"

  validation {
    # Leaves room for the longest suffix ("-task-execution") within IAM's 64-character role names.
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))
    error_message = "name must be 1-40 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------------
# CloudTrail source
# ---------------------------------------------------------------------------------------------------------

variable "cloudtrail_bucket_name" {
  description = "Name of the S3 bucket the trail delivers its log files to."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.cloudtrail_bucket_name))
    error_message = "cloudtrail_bucket_name must be a valid S3 bucket name."
  }
}

variable "cloudtrail_bucket_prefix" {
  description = "The trail's S3 key prefix (\"\" when the trail has none). Log files are read from <prefix>/AWSLogs/ only."
  type        = string
  default     = ""
}

variable "cloudtrail_bucket_account_id" {
  description = "Account that owns the CloudTrail bucket, used in the queue policy's aws:SourceAccount condition. Null means this account."
  type        = string
  default     = null

  validation {
    condition     = var.cloudtrail_bucket_account_id == null || can(regex("^[0-9]{12}$", var.cloudtrail_bucket_account_id))
    error_message = "cloudtrail_bucket_account_id must be a 12-digit account id."
  }
}

variable "cloudtrail_kms_key_arn" {
  description = "ARN of the KMS key the trail encrypts its log files with (SSE-KMS). Null for SSE-S3; set it or every GetObject fails with AccessDenied."
  type        = string
  default     = null
}

variable "create_bucket_notification" {
  description = "Create the bucket -> queue notification (s3:ObjectCreated:* under <prefix>/AWSLogs/). A bucket has ONE notification configuration: this replaces any existing one, so leave it false when the bucket already has notifications and add the queue to them yourself (see README)."
  type        = bool
  default     = false
}

variable "sns_topic_arn" {
  description = "Optional SNS topic that the CloudTrail bucket's S3 event notifications go to (a fan-out topic, for buckets whose notification already serves others). The queue policy lets it send; see subscribe_to_sns_topic."
  type        = string
  default     = null
}

variable "subscribe_to_sns_topic" {
  description = "Subscribe the queue to sns_topic_arn with raw message delivery, so the worker receives the S3 event itself rather than an SNS envelope."
  type        = bool
  default     = true
}

variable "enable_backfill_listing" {
  description = "Grant s3:ListBucket on the bucket so the container can also run the `backfill` command against it (key names only; reading stays limited to <prefix>/AWSLogs/)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------------
# Queues
# ---------------------------------------------------------------------------------------------------------

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the notification queue. The worker extends it (heartbeat) while a file is in flight, so this is only the lease unit, not a bound on file processing time."
  type        = number
  default     = 300

  validation {
    condition     = var.visibility_timeout_seconds >= 30 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 30 and 43200."
  }
}

variable "max_receive_count" {
  description = "Receives after which SQS moves a message to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "message_retention_seconds" {
  description = "Retention of both queues. 14 days (the SQS maximum) by default: a pause that outlives the retention loses notifications."
  type        = number
  default     = 1209600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}

variable "sqs_kms_key_arn" {
  description = "KMS key for the queues (SSE-KMS). Null uses SQS-managed encryption (SSE-SQS), which S3 and SNS can send to without a key policy."
  type        = string
  default     = null
}

# ---------------------------------------------------------------------------------------------------------
# Container image
# ---------------------------------------------------------------------------------------------------------

variable "container_image" {
  description = "Full image reference of the worker (registry/repository:tag or @digest). Leave null to use the ECR repository this module creates (create_ecr_repository + image_tag)."
  type        = string
  default     = null
}

variable "create_ecr_repository" {
  description = "Create a private ECR repository named after `name` (immutable tags, scan on push, KMS encryption)."
  type        = bool
  default     = false
}

variable "image_tag" {
  description = "Tag to deploy from the created ECR repository (used when container_image is null)."
  type        = string
  default     = null
}

variable "ecr_repository_arns" {
  description = "Other ECR repositories the execution role may pull from (when container_image points into ECR outside this module)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------------------
# ECS service and task
# ---------------------------------------------------------------------------------------------------------

variable "cluster_arn" {
  description = "ARN of an existing ECS cluster. Null creates a cluster named `name` with Container Insights. An existing cluster needs Container Insights for the backlog-per-task scaling metric and the no-running-task alarm."
  type        = string
  default     = null

  validation {
    condition     = var.cluster_arn == null || can(regex("^arn:[^:]+:ecs:[^:]+:[0-9]{12}:cluster/.+$", var.cluster_arn))
    error_message = "cluster_arn must be a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>), not a name."
  }
}

variable "subnet_ids" {
  description = "Subnets of the tasks. They need a route to S3, SQS, SSM, CloudWatch Logs, ECR (or the image's registry) and OpenSearch: NAT, or VPC endpoints."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids needs at least one subnet."
  }
}

variable "security_group_ids" {
  description = "Security groups of the tasks. The worker only makes outbound HTTPS calls; nothing needs to reach it."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0
    error_message = "security_group_ids needs at least one security group."
  }
}

variable "assign_public_ip" {
  description = "Give tasks a public IP (only for public subnets without NAT)."
  type        = bool
  default     = false
}

variable "task_cpu" {
  description = "Task CPU units (512 = 0.5 vCPU)."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Task memory in MiB; must be a valid Fargate combination with task_cpu."
  type        = number
  default     = 1024
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "platform_version" {
  description = "Fargate platform version."
  type        = string
  default     = "LATEST"
}

variable "health_port" {
  description = "Port of the worker's health server (/healthz, /readyz, /metrics): HEALTH_PORT."
  type        = number
  default     = 8080
}

variable "container_health_check_command" {
  description = "ECS container health check command. The default suits the project's distroless image, which has Node but no shell or curl."
  type        = list(string)
  default = [
    "CMD", "/nodejs/bin/node", "-e",
    "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
  ]
}

variable "shutdown_grace_seconds" {
  description = "SHUTDOWN_GRACE_SECONDS: how long the worker drains after SIGTERM. The container stop timeout is fixed at 120 s (the Fargate maximum), so this stays at or below 110."
  type        = number
  default     = 90

  validation {
    condition     = var.shutdown_grace_seconds >= 1 && var.shutdown_grace_seconds <= 110
    error_message = "shutdown_grace_seconds must be between 1 and 110 (the stop timeout is 120 s)."
  }
}

variable "index_prefix" {
  description = "INDEX_PREFIX: prefix of the monthly indexes (<prefix>-YYYY.MM)."
  type        = string
  default     = "cloudtrail"
}

variable "log_level" {
  description = "LOG_LEVEL of the worker."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error", "fatal"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error, fatal."
  }
}

variable "extra_environment" {
  description = "More worker environment variables (e.g. INDEX_ROUTING, FLATTEN_KEYS, BULK_MAX_BYTES). Names this module sets itself cannot be overridden here."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the worker's (and the created domain's) CloudWatch log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 365, ... 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key for the CloudWatch log groups (its key policy must let CloudWatch Logs use it). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "wait_for_steady_state" {
  description = "Make `terraform apply` wait until the service is stable (a failed deployment then fails the apply)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------
# Scaling and pause
# ---------------------------------------------------------------------------------------------------------

variable "min_tasks" {
  description = "Fewest running tasks while not paused."
  type        = number
  default     = 1

  validation {
    condition     = var.min_tasks >= 1
    error_message = "min_tasks must be at least 1; use `paused` to run no task."
  }
}

variable "max_tasks" {
  description = "Most running tasks autoscaling may start (must be >= min_tasks)."
  type        = number
  default     = 4
}

variable "backlog_per_task_target" {
  description = "Target of the backlog-per-task scaling policy: visible messages (log files waiting) per running task."
  type        = number
  default     = 100

  validation {
    condition     = var.backlog_per_task_target > 0
    error_message = "backlog_per_task_target must be positive."
  }
}

variable "scale_out_cooldown_seconds" {
  description = "Cooldown after a scale-out."
  type        = number
  default     = 60
}

variable "scale_in_cooldown_seconds" {
  description = "Cooldown after a scale-in (every scale-in drains a worker, so keep it longer than scale-out)."
  type        = number
  default     = 300
}

variable "paused" {
  description = "Run no task at all: the scalable target's min and max become 0, which sets the desired count to 0 and keeps every scaling policy from raising it. Notifications wait in the queue (see message_retention_seconds). For a pause that keeps the tasks running, use the worker's `pause` command (the SSM parameter)."
  type        = bool
  default     = false
}

variable "pause_parameter_name" {
  description = "Name of the SSM parameter the worker's `pause`/`resume` commands write and the worker watches (PAUSE_PARAMETER_NAME). Null means /<name>/paused."
  type        = string
  default     = null
}

# ---------------------------------------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------------------------------------

variable "create_alarm_topic" {
  description = "Create an SNS topic for the alarms (see alarm_email_addresses). Otherwise alarms notify alarm_topic_arn, or nobody."
  type        = bool
  default     = false
}

variable "alarm_topic_arn" {
  description = "Existing SNS topic for the alarms (when create_alarm_topic is false)."
  type        = string
  default     = null
}

variable "alarm_topic_kms_key_arn" {
  description = "Customer managed KMS key for the created alarm topic. Its key policy must let cloudwatch.amazonaws.com use it (the AWS-managed aws/sns key does not)."
  type        = string
  default     = null
}

variable "alarm_email_addresses" {
  description = "E-mail addresses subscribed to the created alarm topic (each must confirm by mail)."
  type        = list(string)
  default     = []
}

variable "oldest_message_age_alarm_seconds" {
  description = "Alarm when the oldest notification has waited longer than this: a stuck worker, or a pause someone forgot."
  type        = number
  default     = 14400
}

# ---------------------------------------------------------------------------------------------------------
# OpenSearch
# ---------------------------------------------------------------------------------------------------------

variable "create_opensearch_domain" {
  description = "Create an Amazon OpenSearch Service domain. Otherwise give an existing domain's opensearch_endpoint and opensearch_domain_arn."
  type        = bool
  default     = false
}

variable "opensearch_endpoint" {
  description = "Endpoint of an existing domain (host name, with or without https://). Used when create_opensearch_domain is false."
  type        = string
  default     = null
}

variable "opensearch_domain_arn" {
  description = "ARN of an existing domain (arn:aws:es:<region>:<account>:domain/<name>). Used when create_opensearch_domain is false."
  type        = string
  default     = null

  validation {
    condition     = var.opensearch_domain_arn == null || can(regex("^arn:[^:]+:es:[^:]+:[0-9]{12}:domain/[a-z][a-z0-9-]{2,27}$", var.opensearch_domain_arn))
    error_message = "opensearch_domain_arn must look like arn:aws:es:<region>:<account>:domain/<name>."
  }
}

variable "opensearch_domain_name" {
  description = "Name of the created domain."
  type        = string
  default     = "cloudtrail-events"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,27}$", var.opensearch_domain_name))
    error_message = "opensearch_domain_name must be 3-28 characters: lower-case letters, digits, hyphens, starting with a letter."
  }
}

variable "opensearch_engine_version" {
  description = "Engine version of the created domain."
  type        = string
  default     = "OpenSearch_2.19"
}

variable "opensearch_instance_type" {
  description = "Data node instance type of the created domain."
  type        = string
  default     = "t3.small.search"
}

variable "opensearch_instance_count" {
  description = "Data nodes of the created domain."
  type        = number
  default     = 1
}

variable "opensearch_volume_type" {
  description = "EBS volume type of the created domain."
  type        = string
  default     = "gp3"
}

variable "opensearch_volume_size_gb" {
  description = "EBS volume size per data node, in GiB."
  type        = number
  default     = 64
}

variable "opensearch_allowed_ips" {
  description = "CIDR blocks allowed to use the created domain (and its Dashboards) from a browser without signing requests. Empty: signed (IAM) access only."
  type        = list(string)
  default     = []
}

variable "opensearch_kms_key_arn" {
  description = "KMS key for the created domain's encryption at rest. Null uses the AWS-managed aws/es key."
  type        = string
  default     = null
}
