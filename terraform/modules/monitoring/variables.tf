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

variable "worker_timeout_seconds" {
  description = "Timeout of the worker function (resources.json functions.worker.timeout): the duration alarm fires at a share of it."
  type        = number
}

variable "max_receive_count" {
  description = "Receives of an ingest message before SQS parks it in the DLQ (resources.json ingest.max_receive_count), quoted by the DLQ alarm."
  type        = number
}

variable "kms_key_arn" {
  description = "ARN of the environment's KMS key that encrypts the alarm topic; its key policy must let CloudWatch alarms use it."
  type        = string
}

variable "worker_function_name" {
  description = "Name of the worker Lambda function (SQS consumer)."
  type        = string
}

variable "api_function_name" {
  description = "Name of the API Lambda function."
  type        = string
}

variable "purge_function_name" {
  description = "Name of the purge Lambda function (table stream consumer)."
  type        = string
}

variable "purge_failures_queue_name" {
  description = "Name of the queue the purge's stream mapping describes failed batches in (its on-failure destination)."
  type        = string
}

variable "jobs_function_name" {
  description = "Name of the jobs Lambda function (jobs queue consumer)."
  type        = string
}

variable "jobs_queue_name" {
  description = "Name of the jobs queue."
  type        = string
}

variable "jobs_dlq_name" {
  description = "Name of the jobs dead-letter queue."
  type        = string
}

variable "ingest_queue_name" {
  description = "Name of the SQS ingest queue (the worker's), filled by the forwarder with each upload in its owner's message group."
  type        = string
}

variable "intake_queue_name" {
  description = "Name of the SQS intake queue fed by S3 ObjectCreated events (the forwarder's)."
  type        = string
}

variable "intake_dlq_name" {
  description = "Name of the intake dead-letter queue."
  type        = string
}

variable "forwarder_function_name" {
  description = "Name of the forwarder Lambda function (intake queue → ingest queue, grouped by owner)."
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

variable "thresholds" {
  description = "Alarm thresholds. Rates are percentages over one period; ages in seconds; counts per period."
  type = object({
    period_seconds                     = optional(number, 300)
    evaluation_periods                 = optional(number, 1)
    queue_oldest_message_age_seconds   = optional(number, 900)
    worker_error_rate_percent          = optional(number, 5)
    worker_min_invocations             = optional(number, 10)
    api_5xx_rate_percent               = optional(number, 1)
    api_min_requests                   = optional(number, 20)
    lambda_throttles                   = optional(number, 0)
    dynamodb_throttles                 = optional(number, 0)
    analysis_throttled                 = optional(number, 5)
    caption_fallback_rate_percent      = optional(number, 20)
    caption_min_photos                 = optional(number, 5)
    worker_duration_percent_of_timeout = optional(number, 80)
    photos_failed                      = optional(number, 0)
    oldest_pending_age_seconds         = optional(number, 1800)
    purge_iterator_age_seconds         = optional(number, 3600)
    purge_errors                       = optional(number, 0)
    jobs_errors                        = optional(number, 0)
    forwarder_errors                   = optional(number, 0)
  })
  default = {}

  validation {
    condition     = contains([60, 300, 900, 3600], var.thresholds.period_seconds) && var.thresholds.evaluation_periods >= 1
    error_message = "thresholds.period_seconds must be 60, 300, 900 or 3600 and evaluation_periods at least 1."
  }
}

variable "ai_prices" {
  description = "USD prices for the estimated-AI-spend widget: Rekognition per image unit, Bedrock per 1,000 input / output tokens of the caption model, the embedding model per image and per 1,000 text tokens (Titan Multimodal Embeddings G1's published prices as defaults; confirm them for the region), Rekognition per face-collection call (IndexFaces, SearchFaces: a photo with n faces makes 1 + n), and Amazon Location per 1,000 reverse-geocoding requests (SearchPlaceIndexForPosition; one per geotagged photo)."
  type = object({
    rekognition_per_image         = optional(number, 0.001)
    bedrock_per_1k_input_tokens   = optional(number, 0.00025)
    bedrock_per_1k_output_tokens  = optional(number, 0.00125)
    embedding_per_image           = optional(number, 0.00006)
    embedding_per_1k_input_tokens = optional(number, 0.0008)
    rekognition_per_face_call     = optional(number, 0.001)
    location_per_1k_requests      = optional(number, 0.5)
  })
  default = {}
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
