variable "name" {
  description = "Name of the web ACL and of its CloudWatch metrics: <project>-<environment>-<role>."
  type        = string
}

variable "description" {
  description = "Description of the web ACL."
  type        = string
}

variable "scope" {
  description = "CLOUDFRONT (the provider must be us-east-1) or REGIONAL (API Gateway, Cognito user pools, ALB in the provider's region)."
  type        = string

  validation {
    condition     = contains(["CLOUDFRONT", "REGIONAL"], var.scope)
    error_message = "scope must be CLOUDFRONT or REGIONAL."
  }
}

variable "rate_limits" {
  description = "Per-IP rate-based rules by rule name: the most requests one IP may send in 5 minutes, counted over every request or (path_prefix) only those whose URL path starts with it. A blocked IP is let through again once its rate falls below the limit."
  type = map(object({
    limit       = number
    path_prefix = optional(string)
  }))

  validation {
    condition     = alltrue([for rule in values(var.rate_limits) : rule.limit >= 10 && rule.limit <= 2000000000])
    error_message = "A rate limit must be between 10 and 2,000,000,000 requests per 5 minutes (AWS WAF's range)."
  }
}

variable "managed_rule_groups" {
  description = "AWS managed rule groups evaluated after the rate rules, in this order; AWSManagedRulesKnownBadInputsRuleSet always follows them."
  type        = list(string)
  default     = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet"]

  validation {
    condition     = !contains(var.managed_rule_groups, "AWSManagedRulesKnownBadInputsRuleSet")
    error_message = "AWSManagedRulesKnownBadInputsRuleSet is always in the web ACL; do not list it."
  }
}

variable "associations" {
  description = "Regional resources (Cognito user pools, ...) to protect with the web ACL, by a name known at plan time. CloudFront distributions name the web ACL themselves (web_acl_id) instead."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.associations) == 0 || var.scope == "REGIONAL"
    error_message = "Only a REGIONAL web ACL is associated with resources; a distribution sets web_acl_id."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts a REGIONAL web ACL's log group (the environment's key, same region). A CLOUDFRONT web ACL logs in us-east-1, where the environment has no key: the module creates one there and this stays null."
  type        = string
  default     = null

  validation {
    condition     = (var.scope == "REGIONAL") == (var.kms_key_arn != null)
    error_message = "Give kms_key_arn for a REGIONAL web ACL, and none for a CLOUDFRONT one (its us-east-1 key is created here)."
  }
}

variable "log_group_name" {
  description = "Name of the WAF log group (WAF requires the aws-waf-logs- prefix). Null: aws-waf-logs-<name>."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_name == null || startswith(coalesce(var.log_group_name, "aws-waf-logs-"), "aws-waf-logs-")
    error_message = "A WAF log group name must start with aws-waf-logs-."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF log group, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
