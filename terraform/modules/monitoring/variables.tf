variable "name_prefix" {
  description = "Prefix of every AWS name this module creates (\"<project>-<workspace>\", e.g. \"photovault-dev\")."
  type        = string
}

variable "environment" {
  description = "Environment (workspace) name, shown on the dashboard and in alarm descriptions."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the custom EMF metrics the functions emit (photovault.observability.NAMESPACE)."
  type        = string
  default     = "PhotoVault"
}

variable "metric_dimensions" {
  description = "Exact dimension set Powertools Metrics attaches to every custom metric (default: service = photovault.observability.SERVICE). A metric is only found when the query names all of its dimensions."
  type        = map(string)
  default     = { service = "photovault" }
}

variable "worker_function_name" {
  description = "Name of the worker Lambda function (SQS consumer)."
  type        = string
}

variable "api_function_name" {
  description = "Name of the API Lambda function."
  type        = string
}

variable "ingest_queue_name" {
  description = "Name of the SQS ingest queue fed by S3 ObjectCreated events."
  type        = string
}

variable "ingest_dlq_name" {
  description = "Name of the ingest dead-letter queue."
  type        = string
}

variable "table_name" {
  description = "Name of the DynamoDB table."
  type        = string
}

variable "http_api_id" {
  description = "Id of the API Gateway HTTP API."
  type        = string
}

variable "http_api_stage" {
  description = "Stage name of the HTTP API whose metrics are read (\"$default\" for the default stage)."
  type        = string
  default     = "$default"
}

variable "cloudfront_distribution_id" {
  description = "Id of the CloudFront distribution (its metrics live in us-east-1 with Region = Global)."
  type        = string
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (the recipient must confirm the subscription). null: no subscription."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention the stack's log groups are expected to have; a check block warns on plan when a function's log group differs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, … 3653)."
  }
}

variable "thresholds" {
  description = "Alarm thresholds. Rates are percentages over one period; ages in seconds; counts per period."
  type = object({
    period_seconds                   = optional(number, 300)
    evaluation_periods               = optional(number, 1)
    queue_oldest_message_age_seconds = optional(number, 900)
    worker_error_rate_percent        = optional(number, 5)
    worker_min_invocations           = optional(number, 10)
    api_5xx_rate_percent             = optional(number, 1)
    api_min_requests                 = optional(number, 20)
    lambda_throttles                 = optional(number, 0)
    dynamodb_throttles               = optional(number, 0)
    analysis_throttled               = optional(number, 5)
    caption_fallback_rate_percent    = optional(number, 20)
    caption_min_photos               = optional(number, 5)
  })
  default = {}

  validation {
    condition     = contains([60, 300, 900, 3600], var.thresholds.period_seconds) && var.thresholds.evaluation_periods >= 1
    error_message = "thresholds.period_seconds must be 60, 300, 900 or 3600 and evaluation_periods at least 1."
  }
}

variable "ai_prices" {
  description = "USD prices for the estimated-AI-spend widget: Rekognition per image unit, Bedrock per 1,000 input / output tokens of the caption model."
  type = object({
    rekognition_per_image        = optional(number, 0.001)
    bedrock_per_1k_input_tokens  = optional(number, 0.00025)
    bedrock_per_1k_output_tokens = optional(number, 0.00125)
  })
  default = {}
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
