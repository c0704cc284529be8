variable "name_prefix" {
  description = "Prefix for every AWS name: <project>-<environment>."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC."
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr_block))
    error_message = "cidr_block must be a valid IPv4 CIDR."
  }
}

variable "availability_zones" {
  description = "Availability zones for the private (and, with NAT, public) subnets; at least two."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Use at least two availability zones."
  }
}

variable "enable_nat_gateway" {
  description = "Add public subnets, an internet gateway and one NAT gateway so the functions can reach the internet. Off by default: the functions only talk to AWS through VPC endpoints."
  type        = bool
  default     = false
}

variable "interface_endpoint_services" {
  description = "AWS services reached through interface VPC endpoints (service name suffix after com.amazonaws.<region>.); each needs its endpoint policy in endpoints.tf."
  type        = set(string)
  default     = ["rekognition", "bedrock-runtime", "s3vectors", "geo.places", "sqs", "sns", "logs", "kms", "ssm", "sts", "xray"]

  validation {
    condition     = length(setsubtract(var.interface_endpoint_services, keys(local.endpoint_statements))) == 0
    error_message = "Every interface endpoint needs an endpoint policy: add the service's statements to local.endpoint_statements (endpoints.tf)."
  }
}

variable "endpoint_access" {
  description = "What the functions reach through the endpoints, for the endpoint policies: the data buckets' ARNs, the table's ARN, the Bedrock caption and embedding model ids and the vector index's ARN."
  type = object({
    bucket_arns        = list(string)
    table_arn          = string
    bedrock_model_id   = string
    embedding_model_id = string
    vector_index_arn   = string
  })
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key: it encrypts the flow-log log group, and it is the only key the functions may use through the KMS endpoint."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the VPC flow-log log group, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
