variable "name_prefix" {
  description = "Prefix for every AWS name: <project>-<environment>."
  type        = string
}

variable "function_name" {
  description = "Name of the Lambda function behind every route."
  type        = string
}

variable "function_invoke_arn" {
  description = "Invoke ARN of the Lambda function behind every route."
  type        = string
}

variable "route_prefix" {
  description = "Path prefix of every route: CloudFront forwards /api/* unchanged, so the API serves under /api."
  type        = string
  default     = "/api"
}

variable "callback_urls" {
  description = "Sign-in callback and sign-out URLs of the web app (https://<site>/...)."
  type        = list(string)
}

variable "mfa_configuration" {
  description = "Cognito MFA: OFF, OPTIONAL (users may enrol a TOTP app) or ON."
  type        = string
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.mfa_configuration)
    error_message = "mfa_configuration must be OFF, OPTIONAL or ON."
  }
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion (on in prod)."
  type        = bool
  default     = false
}

variable "throttling" {
  description = "Stage-wide throttling: steady requests per second and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = {
    rate_limit  = 50
    burst_limit = 100
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the access-log log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the access-log log group, in days."
  type        = number
  default     = 365
}
