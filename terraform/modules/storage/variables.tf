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

variable "table" {
  description = "The DynamoDB table design (from resources.json): name, keys, attribute types, GSIs, TTL attribute, stream view."
  type = object({
    name       = string
    hash_key   = string
    range_key  = string
    attributes = map(string)
    global_secondary_indexes = list(object({
      name            = string
      hash_key        = string
      range_key       = string
      projection_type = string
    }))
    ttl_attribute    = string
    stream_view_type = string
  })
}

variable "deletion_protection" {
  description = "Protect the table and the KMS key from deletion (on in prod)."
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
