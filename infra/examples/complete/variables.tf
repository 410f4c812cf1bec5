variable "region" {
  description = "AWS region of the trail's bucket and of everything created here."
  type        = string
  default     = "us-east-1"
}

variable "cloudtrail_bucket_name" {
  description = "The CloudTrail bucket (must not have another notification configuration; see the README)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the worker image pushed to the created ECR repository."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets with a NAT gateway or VPC endpoints."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups allowing outbound HTTPS."
  type        = list(string)
}

variable "opensearch_allowed_ips" {
  description = "CIDR blocks that may open Dashboards in a browser."
  type        = list(string)
  default     = []
}

variable "alarm_email_addresses" {
  description = "Who gets the alarms."
  type        = list(string)
  default     = []
}
