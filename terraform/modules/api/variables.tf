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

variable "routes" {
  description = "Routes of the API (resources.json api.routes): \"METHOD /path\" and auth, jwt (Cognito JWT authorizer) or none."
  type = list(object({
    route = string
    auth  = string
  }))

  validation {
    condition     = alltrue([for route in var.routes : contains(["jwt", "none"], route.auth)])
    error_message = "Every route's auth must be jwt or none."
  }
}

variable "user_pool" {
  description = "Sign-in attributes, username case sensitivity, token lifetimes and password policy of the Cognito user pool (resources.json user_pool; the local stack uses the same)."
  type = object({
    username_attributes     = list(string)
    username_case_sensitive = bool
    token_validity = object({
      access_token_minutes = number
      id_token_minutes     = number
      refresh_token_days   = number
    })
    password_policy = object({
      minimum_length                   = number
      require_lowercase                = bool
      require_uppercase                = bool
      require_numbers                  = bool
      require_symbols                  = bool
      temporary_password_validity_days = number
    })
  })

  validation {
    condition = (
      var.user_pool.token_validity.access_token_minutes >= 5 && var.user_pool.token_validity.access_token_minutes <= 1440 &&
      var.user_pool.token_validity.id_token_minutes >= 5 && var.user_pool.token_validity.id_token_minutes <= 1440 &&
      var.user_pool.token_validity.refresh_token_days >= 1 && var.user_pool.token_validity.refresh_token_days <= 3650
    )
    error_message = "Cognito accepts ID and access tokens of 5 minutes to 1 day and refresh tokens of 1 day to 10 years."
  }
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

variable "threat_protection" {
  description = "Cognito threat protection for password sign-in: ENFORCED (block or challenge risky sign-ins, compromised credentials), AUDIT (log risk only) or OFF. Anything but OFF puts the pool on the Plus feature plan."
  type        = string
  default     = "ENFORCED"

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.threat_protection)
    error_message = "threat_protection must be OFF, AUDIT or ENFORCED."
  }
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion (on in prod)."
  type        = bool
  default     = false
}

variable "throttling" {
  description = "Throttling for all callers together: the stage default (requests per second, burst) and, by route as written in routes (\"POST /uploads\"), lower limits for routes that must not use up the stage's budget."
  type = object({
    rate_limit  = number
    burst_limit = number
    routes = optional(map(object({
      rate_limit  = number
      burst_limit = number
    })), {})
  })
  default = {
    rate_limit  = 50
    burst_limit = 100
  }

  validation {
    condition     = alltrue([for route in keys(var.throttling.routes) : contains([for item in var.routes : item.route], route)])
    error_message = "Every throttled route must be one of the API's routes, written as in resources.json (\"POST /uploads\")."
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

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "identity_providers" {
  description = "Social or enterprise sign-in through Cognito's hosted UI, by provider name (Google, SignInWithApple, Facebook, LoginWithAmazon, or any name for an OIDC provider). Empty: password sign-in only, no hosted-UI domain. Secrets never sit in tfvars: secret_parameter names an SSM SecureString (the client secret; Apple: the private key)."
  type = map(object({
    type             = string
    client_id        = string
    secret_parameter = optional(string)
    authorize_scopes = optional(string, "openid email profile")
    oidc_issuer      = optional(string)
    apple_team_id    = optional(string)
    apple_key_id     = optional(string)
    label            = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for name, idp in var.identity_providers : contains(["Google", "SignInWithApple", "Facebook", "LoginWithAmazon", "OIDC"], idp.type) && (idp.type == "OIDC" ? !contains(["COGNITO", "Google", "SignInWithApple", "Facebook", "LoginWithAmazon"], name) : name == idp.type)])
    error_message = "Each provider's type is Google, SignInWithApple, Facebook, LoginWithAmazon or OIDC; a social provider's key is its type, an OIDC provider's key is its own name."
  }

  validation {
    condition     = alltrue([for name, idp in var.identity_providers : idp.secret_parameter != null && (idp.type != "OIDC" || idp.oidc_issuer != null) && (idp.type != "SignInWithApple" || (idp.apple_team_id != null && idp.apple_key_id != null))])
    error_message = "Every provider needs secret_parameter; OIDC needs oidc_issuer; SignInWithApple needs apple_team_id and apple_key_id."
  }
}

variable "hosted_ui_domain_prefix" {
  description = "Prefix of the Cognito hosted-UI domain (<prefix>.auth.<region>.amazoncognito.com), created only when identity_providers is not empty. Null: <name_prefix>-<account id> (unique per region)."
  type        = string
  default     = null
}
