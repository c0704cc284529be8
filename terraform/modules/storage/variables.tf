variable "name_prefix" {
  description = "Prefix for every AWS name: <project>-<environment>."
  type        = string
}

variable "buckets" {
  description = "Bucket roles to create (from resources.json); must include originals, derivatives, web and logs."
  type        = set(string)

  validation {
    condition     = length(setsubtract(["originals", "derivatives", "web", "logs"], var.buckets)) == 0
    error_message = "buckets must include originals, derivatives, web and logs."
  }
}

variable "upload_prefix" {
  description = "Key prefix under which browsers upload originals (presigned POST)."
  type        = string
}

variable "exports" {
  description = "Where jobs write their files in the originals bucket, and after how many days a lifecycle rule deletes them (resources.json exports)."
  type = object({
    prefix          = string
    expiration_days = number
  })

  validation {
    condition     = var.exports.prefix != "" && endswith(var.exports.prefix, "/") && var.exports.expiration_days >= 1
    error_message = "exports.prefix must be a folder (ending in /) and exports.expiration_days at least 1: an empty prefix would expire every original."
  }
}

variable "table" {
  description = "The DynamoDB table design (from resources.json): name, keys, attribute types, GSIs, TTL attribute, stream view."
  type = object({
    name       = string
    hash_key   = string
    range_key  = string
    attributes = map(string)
    global_secondary_indexes = list(object({
      name               = string
      hash_key           = string
      range_key          = string
      projection_type    = string
      non_key_attributes = optional(list(string), [])
    }))
    ttl_attribute    = string
    stream_view_type = string
  })
}

variable "deletion_protection" {
  description = "Protect the table from deletion and give the KMS key the longest deletion window (on in prod)."
  type        = bool
  default     = false
}

variable "site_origins" {
  description = "Origins (https://host) allowed to POST uploads straight to the originals bucket (CORS)."
  type        = list(string)
}

variable "cloudfront_distribution_arn" {
  description = "ARN of the CloudFront distribution allowed (through OAC) to read the web and derivatives buckets and decrypt their objects."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions are deleted."
  type        = number
  default     = 30
}

variable "log_expiration_days" {
  description = "Days after which access logs in the logs bucket are deleted."
  type        = number
  default     = 365
}

variable "uploads_cors" {
  description = "CORS rule of the originals bucket for browser uploads (resources.json uploads_cors; the origins come from site_origins)."
  type = object({
    allowed_methods = list(string)
    allowed_headers = list(string)
    expose_headers  = list(string)
    max_age_seconds = number
  })
}

variable "vectors" {
  description = "The S3 Vectors bucket and index (resources.json vectors) and the embedding model's dimension."
  type = object({
    bucket_role     = string
    index_prefix    = string
    data_type       = string
    distance_metric = string
    dimension       = number
  })

  validation {
    condition     = var.vectors.dimension >= 1 && var.vectors.dimension <= 4096 && contains(["cosine", "euclidean"], var.vectors.distance_metric) && var.vectors.data_type == "float32"
    error_message = "S3 Vectors indexes hold float32 vectors of 1-4096 dimensions, compared by cosine or euclidean distance."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the buckets with every object version in them (dev, staging); false keeps prod's data safe from a destroy."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
