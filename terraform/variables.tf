variable "project" {
  description = "Project name, the first part of every AWS name (must match resources.json)."
  type        = string
  default     = "photovault"
}

variable "environment" {
  description = "Environment this tfvars file describes; must equal the selected workspace (dev, staging, prod)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the stack (CloudFront-scoped resources always go to us-east-1)."
  type        = string
  default     = "eu-west-1"
}

variable "network" {
  description = "VPC CIDR, availability zones (at least two) and whether to add a NAT gateway (off: VPC endpoints only)."
  type = object({
    cidr_block         = string
    availability_zones = list(string)
    enable_nat_gateway = optional(bool, false)
  })
}

variable "lambda_architecture" {
  description = "Lambda architecture; `make build ARCH=` must build the zips for the same one."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions per function."
  type = object({
    api    = number
    worker = number
  })
}

variable "worker_maximum_concurrency" {
  description = "Most concurrent worker invocations the ingest queue may drive (Rekognition/Bedrock quota guard); at most reserved_concurrency.worker."
  type        = number
}

variable "bedrock_model_id" {
  description = "Bedrock foundation model used for captions."
  type        = string
  default     = "anthropic.claude-3-haiku-20240307-v1:0"
}

variable "moderation_threshold" {
  description = "Rekognition moderation confidence (0-100) above which a photo is quarantined."
  type        = number
  default     = 80
}

variable "deletion_protection" {
  description = "Deletion protection on the table and the user pool (on in prod)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of every log group, in days (CloudWatch allowed values)."
  type        = number
  default     = 365
}

variable "domain" {
  description = "Optional custom domain for the site and its Route 53 hosted zone (ACM certificate validated by DNS). Null: the *.cloudfront.net name."
  type = object({
    name           = string
    hosted_zone_id = string
  })
  default = null
}

variable "waf" {
  description = "Optional WAF web ACL in front of CloudFront and its per-IP rate limit (requests per 5 minutes)."
  type = object({
    enabled    = optional(bool, true)
    rate_limit = optional(number, 2000)
  })
  default = {}
}

variable "signing_public_key_pem" {
  description = "PEM public key for CloudFront signed URLs; null generates a key pair and stores the private half in SSM."
  type        = string
  default     = null
}

variable "cognito_mfa" {
  description = "Cognito MFA setting: OFF, OPTIONAL or ON."
  type        = string
  default     = "OPTIONAL"
}

variable "api_throttling" {
  description = "HTTP API stage throttling (requests per second and burst)."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = {
    rate_limit  = 50
    burst_limit = 100
  }
}

variable "alarm_email" {
  description = "E-mail subscribed to the alarm topic; null for none."
  type        = string
  default     = null
}

variable "max_upload_bytes" {
  description = "Largest photo upload the web app accepts, in bytes (keep equal to the API's MAX_UPLOAD_BYTES, 50 MiB by default)."
  type        = number
  default     = 52428800
}
