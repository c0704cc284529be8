variable "name_prefix" {
  description = "Prefix for every AWS name: <project>-<environment>."
  type        = string
}

variable "web_bucket_regional_domain_name" {
  description = "Regional domain name of the web (single-page app) bucket."
  type        = string
}

variable "derivatives_bucket_regional_domain_name" {
  description = "Regional domain name of the derivatives bucket served under /media/*."
  type        = string
}

variable "logs_bucket_arn" {
  description = "ARN of the logs bucket that receives CloudFront access logs (under cloudfront/)."
  type        = string
}

variable "api_domain_name" {
  description = "Host name of the HTTP API's default endpoint, served under /api/*."
  type        = string
}

variable "signing_public_key_pem" {
  description = "PEM public key (RSA 2048) trusted to sign /media/* URLs."
  type        = string
}

variable "connect_sources" {
  description = "Extra origins the web app may call (CSP connect-src): the originals bucket for presigned POST, Cognito."
  type        = list(string)
  default     = []
}

variable "domain" {
  description = "Optional custom domain: the name and the Route 53 hosted zone that validates its ACM certificate. Null: the distribution's *.cloudfront.net name and certificate."
  type = object({
    name           = string
    hosted_zone_id = string
  })
  default = null
}

variable "waf" {
  description = "Optional AWS WAF web ACL in front of the distribution: on/off and the per-IP request limit per 5 minutes."
  type = object({
    enabled    = optional(bool, true)
    rate_limit = optional(number, 2000)
  })
  default = {}
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF log group, in days."
  type        = number
  default     = 365
}
