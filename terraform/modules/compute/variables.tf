variable "name_prefix" {
  description = "Prefix for every AWS name: <project>-<environment>."
  type        = string
}

variable "environment" {
  description = "Environment name, passed to the functions as ENVIRONMENT."
  type        = string
}

variable "functions" {
  description = "Lambda functions by name (api, worker, forwarder, purge, jobs) from resources.json, with the path of the zip built by `make build` and the table indexes the function may Query."
  type = map(object({
    handler       = string
    memory_size   = number
    timeout       = number
    table_indexes = optional(list(string), [])
    zip_path      = string
  }))

  validation {
    condition     = length(setsubtract(["api", "worker", "forwarder", "purge", "jobs"], keys(var.functions))) == 0
    error_message = "functions must define api, worker, forwarder, purge and jobs."
  }

  validation {
    condition     = alltrue([for fn in values(var.functions) : fn.memory_size >= 128 && fn.memory_size <= 10240 && fn.timeout >= 1 && fn.timeout <= 900])
    error_message = "memory_size must be 128-10240 MB and timeout 1-900 s."
  }
}

variable "architecture" {
  description = "Lambda instruction set architecture; the zips must be built for the same one (make build ARCH=...)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions per function (api, worker, forwarder, purge, jobs)."
  type        = map(number)
}

variable "ingest" {
  description = "Ingest settings from resources.json: the intake queue S3 notifies (the forwarder's) and the ingest queue the forwarder fills, grouped by owner (the worker's); both use these retries, retention and batch size."
  type = object({
    queue_role                      = string
    dlq_role                        = string
    intake_queue_role               = string
    intake_dlq_role                 = string
    upload_prefix                   = string
    s3_events                       = list(string)
    max_receive_count               = number
    batch_size                      = number
    maximum_batching_window_seconds = number
    visibility_timeout_multiplier   = number
    message_retention_seconds       = number
    dlq_message_retention_seconds   = number
    pending_check_minutes           = number
  })

  validation {
    condition     = var.ingest.batch_size >= 1 && var.ingest.batch_size <= 10
    error_message = "ingest.batch_size must be between 1 and 10."
  }

  validation {
    condition     = var.ingest.visibility_timeout_multiplier >= 6
    error_message = "The ingest queue's visibility timeout must be at least 6 times the worker timeout."
  }
}

variable "worker_maximum_concurrency" {
  description = "Most concurrent worker invocations the SQS event source may drive (protects Rekognition/Bedrock quotas); 2-1000."
  type        = number

  validation {
    condition     = var.worker_maximum_concurrency >= 2 && var.worker_maximum_concurrency <= 1000
    error_message = "worker_maximum_concurrency must be between 2 and 1000."
  }
}

variable "purge" {
  description = "The purge function's event source mapping on the table's stream (resources.json purge): batching, retries, bisection, the failure queue and the filter patterns (JSON documents in Lambda's event-filter syntax) that pass only REMOVEs of photo items."
  type = object({
    failure_queue_role                = string
    starting_position                 = string
    batch_size                        = number
    maximum_batching_window_seconds   = number
    maximum_retry_attempts            = number
    maximum_record_age_seconds        = number
    bisect_batch_on_function_error    = bool
    parallelization_factor            = number
    failure_message_retention_seconds = number
    filter_patterns                   = list(string)
  })

  validation {
    condition     = length(var.purge.filter_patterns) >= 1 && length(var.purge.filter_patterns) <= 5
    error_message = "purge.filter_patterns needs 1 to 5 patterns (Lambda's limit): without one, every write of the table would invoke the purge."
  }

  validation {
    condition     = var.purge.batch_size >= 1 && var.purge.batch_size <= 10000 && var.purge.maximum_retry_attempts >= 0 && var.purge.maximum_retry_attempts <= 10000
    error_message = "purge.batch_size must be 1-10000 and purge.maximum_retry_attempts 0-10000 (finite: a poison record must reach the failure queue)."
  }
}

variable "jobs" {
  description = "The jobs queue, its DLQ and the jobs function's event source mapping (resources.json jobs)."
  type = object({
    queue_role                    = string
    dlq_role                      = string
    max_receive_count             = number
    batch_size                    = number
    visibility_timeout_multiplier = number
    message_retention_seconds     = number
    dlq_message_retention_seconds = number
  })

  validation {
    condition     = var.jobs.visibility_timeout_multiplier >= 6 && var.jobs.batch_size == 1
    error_message = "The jobs queue's visibility timeout must be at least 6 jobs timeouts, and each invocation runs one step (batch_size 1)."
  }
}

variable "exports" {
  description = "Where jobs write in the originals bucket and how many days their files (and the jobs) are kept (resources.json exports)."
  type = object({
    prefix          = string
    expiration_days = number
  })
}

variable "table_stream_arn" {
  description = "ARN of the table's stream: the purge function's event source, and the only stream its role may read."
  type        = string
}

variable "events_topic_role" {
  description = "Role name of the SNS topic for photo events (resources.json topics.events_role)."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key (buckets, table, queues, topic, logs, parameter)."
  type        = string
}

variable "bucket_names" {
  description = "Bucket names by role; the functions use originals and derivatives."
  type        = map(string)
}

variable "bucket_arns" {
  description = "Bucket ARNs by role; the functions use originals and derivatives."
  type        = map(string)
}

variable "table_name" {
  description = "Name of the DynamoDB table."
  type        = string
}

variable "table_arn" {
  description = "ARN of the DynamoDB table."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the functions run in."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the functions."
  type        = list(string)
}

variable "bedrock_model_id" {
  description = "Bedrock foundation model used for captions."
  type        = string
}

variable "embedding" {
  description = "Search by meaning: the Bedrock embedding model (and its output dimension) both functions call, and the S3 Vectors bucket and index that hold the photos' vectors."
  type = object({
    model_id         = string
    dimension        = number
    vector_bucket    = string
    vector_index     = string
    vector_index_arn = string
  })
}

variable "moderation_threshold" {
  description = "Rekognition moderation confidence (0-100) above which a photo is quarantined."
  type        = number
  default     = 80

  validation {
    condition     = var.moderation_threshold >= 0 && var.moderation_threshold <= 100
    error_message = "moderation_threshold must be between 0 and 100."
  }
}

variable "min_label_confidence" {
  description = "Label confidence (0-100) from which a label is indexed for search and counted in facets."
  type        = number
  default     = 70

  validation {
    condition     = var.min_label_confidence >= 0 && var.min_label_confidence <= 100
    error_message = "min_label_confidence must be between 0 and 100."
  }
}

variable "max_upload_bytes" {
  description = "Largest upload accepted, in bytes: the presigned POST's content-length-range and the worker's read cap."
  type        = number
  default     = 52428800
}

variable "upload_quota" {
  description = "Per-user limits of POST /uploads (lambda_src/photovault/library/quota.py): uploads started per rolling hour, uploads unfinished at once (1-1000; also bounds one user's backlog in the ingest queue), and bytes stored."
  type = object({
    uploads_per_hour = number
    pending_uploads  = number
    bytes            = number
  })

  validation {
    condition     = var.upload_quota.uploads_per_hour >= 1 && var.upload_quota.pending_uploads >= 1 && var.upload_quota.pending_uploads <= 1000 && var.upload_quota.bytes > 0
    error_message = "upload_quota needs uploads_per_hour >= 1, pending_uploads in 1-1000 and bytes > 0."
  }
}

variable "media_base_url" {
  description = "https://<site domain>: the base of signed /media/* URLs."
  type        = string
}

variable "cloudfront_key_pair_id" {
  description = "ID of the CloudFront public key the signed URLs are verified with."
  type        = string
}

variable "signing_key_parameter_name" {
  description = "SSM SecureString parameter holding the CloudFront signing private key (the cdn module's)."
  type        = string
}

variable "signing_key_parameter_arn" {
  description = "ARN of that parameter: the api function may read it and nothing else in SSM."
  type        = string
}

variable "origin_verify_parameter" {
  description = "SSM SecureString (name, ARN) with the values of the header CloudFront adds to /api/* requests (the cdn module's): the api function refuses requests without one of them."
  type = object({
    name = string
    arn  = string
  })
}

variable "xray_sdk_tracing" {
  description = "Load the X-Ray SDK in the functions for a subsegment per AWS call (Powertools Tracer). Lambda's active tracing records every invocation without it; the SDK costs ~25 ms of every cold start and is in maintenance mode since February 2026."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "place_data_source" {
  description = "Data provider of the Amazon Location place index the worker reverse-geocodes photos with (its intended use is Storage: the names are kept with the photo)."
  type        = string
  default     = "Here"

  validation {
    condition     = contains(["Esri", "Here", "Grab"], var.place_data_source)
    error_message = "place_data_source must be one of Esri, Here, Grab."
  }
}

variable "user_pool" {
  description = "The Cognito user pool whose users account deletion deletes (the jobs function's USER_POOL_ID and its only Cognito grant)."
  type = object({
    id  = string
    arn = string
  })
}
