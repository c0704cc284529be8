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
  description = "Host name of the HTTP API's default endpoint, the origin of /api/* (requests that skip CloudFront are refused by the function: origin_verify.tf)."
  type        = string
}

variable "signing_public_key_pem" {
  description = "PEM public key (RSA 2048) trusted to sign /media/* URLs. Null: generate a key pair here and store the private half in the SSM SecureString signing_key_parameter_name. Set: the operator stores the matching private key in that parameter."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the signing-key and origin-secret parameters."
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

variable "web_acl_arn" {
  description = "ARN of the CLOUDFRONT-scope WAF web ACL in front of the distribution (the waf module's), or null for none."
  type        = string
  default     = null
}

variable "origin_verify_generation" {
  description = "Generation of the secret CloudFront sends to the API origin (X-Origin-Verify). Raise it by one to rotate: the api function accepts this generation and the one before, so nothing is refused while CloudFront deploys the new value."
  type        = number
  default     = 1

  validation {
    condition     = var.origin_verify_generation >= 1 && floor(var.origin_verify_generation) == var.origin_verify_generation
    error_message = "origin_verify_generation must be a whole number, at least 1."
  }
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

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
