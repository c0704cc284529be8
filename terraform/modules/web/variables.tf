variable "bucket_name" {
  description = "Name of the web bucket CloudFront serves the single-page app from."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the web bucket's objects."
  type        = string
}

variable "source_dir" {
  description = "Directory of the app's static files (index.html, styles.css, favicon.svg, js/**)."
  type        = string
}

variable "vendor_dir" {
  description = "Directory of the installed npm packages (node_modules) that web/vendor.json names: uploaded under vendor/<package>/."
  type        = string
}

variable "environment" {
  description = "Environment name shown by the app (dev, staging, prod)."
  type        = string
}

variable "region" {
  description = "AWS region of the Cognito user pool."
  type        = string
}

variable "user_pool_id" {
  description = "ID of the Cognito user pool the app signs users in to."
  type        = string
}

variable "user_pool_client_id" {
  description = "ID of the web app's Cognito client (public, no secret)."
  type        = string
}

variable "mfa_configuration" {
  description = "The user pool's MFA setting, for the app: OFF hides two-step sign-in, ON makes it required (no \"turn off\")."
  type        = string
  default     = "OPTIONAL"
}

variable "hosted_ui_url" {
  description = "Base URL of the Cognito hosted UI (social sign-in); empty when no identity provider is configured."
  type        = string
  default     = ""
}

variable "identity_providers" {
  description = "The social sign-in buttons: each provider's Cognito name (id) and the button's label. Empty: none shown."
  type        = list(object({ id = string, label = string }))
  default     = []
}

variable "max_upload_bytes" {
  description = "Largest upload the app accepts, in bytes (the API enforces the same limit)."
  type        = number
  default     = 52428800
}

variable "tags" {
  description = "Tags added to every taggable resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
