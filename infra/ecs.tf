# The worker as a Fargate service: one long-running SQS consumer per task.

resource "aws_ecs_cluster" "this" {
  count = local.create_cluster ? 1 : 0
  name  = var.name

  # Also the source of RunningTaskCount, used by the scaling policy and the no-running-task alarm.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = local.tags
}

resource "aws_ecs_task_definition" "worker" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # The root filesystem is read-only; /tmp is the one writable place.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name      = "worker"
    image     = local.image
    essential = true
    # The image's default command is `worker`; stating it keeps the service independent of that default.
    command                = ["worker"]
    readonlyRootFilesystem = true
    stopTimeout            = local.stop_timeout_seconds
    portMappings           = [{ containerPort = var.health_port, protocol = "tcp" }]
    environment            = [for key in sort(keys(local.worker_environment)) : { name = key, value = local.worker_environment[key] }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    # A real PID 1 forwards SIGTERM to Node and reaps children.
    linuxParameters = { initProcessEnabled = true }

    healthCheck = {
      command     = var.container_health_check_command
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.worker.name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = "worker"
      }
    }
  }])

  tags = local.tags

  lifecycle {
    precondition {
      condition     = local.image != null
      error_message = "No image: set container_image, or create_ecr_repository = true with image_tag."
    }
  }
}

resource "aws_ecs_service" "worker" {
  name             = var.name
  cluster          = local.cluster_arn
  task_definition  = aws_ecs_task_definition.worker.arn
  launch_type      = "FARGATE"
  platform_version = var.platform_version
  # Only the first value counts: afterwards the scalable target owns the desired count (see autoscaling.tf).
  desired_count = var.paused ? 0 : var.min_tasks

  # Start the new task before stopping the old one; a queue consumer has no traffic to shift.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = var.assign_public_ip
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  wait_for_steady_state   = var.wait_for_steady_state
  tags                    = local.tags

  lifecycle {
    # Autoscaling (and `paused`, through the scalable target) changes it; a plan must not reset it.
    ignore_changes = [desired_count]

    precondition {
      condition     = var.max_tasks >= var.min_tasks
      error_message = "max_tasks must be greater than or equal to min_tasks."
    }

    precondition {
      condition     = var.create_opensearch_domain != (var.opensearch_endpoint != null && var.opensearch_domain_arn != null)
      error_message = "Either create_opensearch_domain = true, or give both opensearch_endpoint and opensearch_domain_arn of an existing domain (not both)."
    }
  }
}
