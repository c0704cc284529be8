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
  description = "AWS services reached through interface VPC endpoints (service name suffix after com.amazonaws.<region>.)."
  type        = set(string)
  default     = ["rekognition", "bedrock-runtime", "sqs", "sns", "logs", "kms", "ssm", "sts", "xray"]
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the flow-log log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the VPC flow-log log group, in days."
  type        = number
  default     = 365
}
