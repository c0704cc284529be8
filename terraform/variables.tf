variable "project" {
  description = "Project name, the first part of every AWS name (must match resources.json)."
  type        = string
  default     = "photovault"
}

variable "environment" {
  description = "Environment this tfvars file describes; must equal the selected workspace (dev, staging, prod)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the stack (CloudFront-scoped resources always go to us-east-1)."
  type        = string
  default     = "eu-west-1"
}

variable "network" {
  description = "VPC CIDR, availability zones (at least two) and whether to add a NAT gateway (off: VPC endpoints only)."
  type = object({
    cidr_block         = string
    availability_zones = list(string)
    enable_nat_gateway = optional(bool, false)
  })
}

variable "lambda_architecture" {
  description = "Lambda architecture; `make build ARCH=` must build the zips for the same one."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions per function. The purge reads one stream shard at a time per parallelization factor; the jobs function bounds how many jobs copy originals at once; the forwarder's is also its queue's maximum concurrency (at least 2), so it is never throttled."
  type = object({
    api       = number
    worker    = number
    forwarder = optional(number, 5)
    purge     = optional(number, 2)
    jobs      = optional(number, 2)
  })
}

variable "worker_maximum_concurrency" {
  description = "Most concurrent worker invocations the ingest queue may drive (Rekognition/Bedrock quota guard); at most reserved_concurrency.worker."
  type        = number
}

variable "bedrock_model_id" {
  description = "Bedrock foundation model used for captions."
  type        = string
  default     = "anthropic.claude-3-haiku-20240307-v1:0"
}

variable "embedding" {
  description = "Search by meaning: the Bedrock multimodal embedding model and its output dimension (Titan Multimodal Embeddings G1: 256, 384 or 1024). Changing either creates a new vector index: backfill it with make reprocess ARGS=\"--all --steps embed\"."
  type = object({
    model_id  = optional(string, "amazon.titan-embed-image-v1")
    dimension = optional(number, 1024)
  })
  default = {}

  validation {
    condition     = contains([256, 384, 1024], var.embedding.dimension)
    error_message = "embedding.dimension must be one Titan Multimodal Embeddings G1 outputs: 256, 384 or 1024."
  }
}

variable "moderation_threshold" {
  description = "Rekognition moderation confidence (0-100) above which a photo is quarantined."
  type        = number
  default     = 80
}

variable "deletion_protection" {
  description = "Deletion protection on the table and the user pool (on in prod)."
  type        = bool
  default     = false
}

variable "force_destroy" {
  description = "Let `make destroy` delete the buckets with every object version in them (dev, staging). Never in prod, where a destroy must fail on data."
  type        = bool
  default     = false

  validation {
    condition     = !(var.force_destroy && var.environment == "prod")
    error_message = "force_destroy must stay false in prod: its buckets hold the only copy of people's photos."
  }
}

variable "xray_sdk_tracing" {
  description = "Load the X-Ray SDK in the functions for a subsegment per AWS call. Lambda's active tracing records every invocation and its init without it; the SDK costs ~25 ms of every cold start (make bench, case coldstart) and is in maintenance mode since 25 February 2026."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of every log group, in days (CloudWatch allowed values)."
  type        = number
  default     = 365
}

variable "domain" {
  description = "Optional custom domain for the site and its Route 53 hosted zone (ACM certificate validated by DNS). Null: the *.cloudfront.net name."
  type = object({
    name           = string
    hosted_zone_id = string
  })
  default = null

  # CloudFront's default *.cloudfront.net certificate only takes the TLSv1 minimum-protocol policy: production
  # traffic must not be served that way unless someone decided so in the tfvars.
  validation {
    condition     = var.domain != null || var.environment != "prod" || var.allow_default_certificate
    error_message = "prod has no custom domain, so CloudFront would serve it with its default certificate, which accepts TLS 1.0. Set domain (TLS >= 1.2), or set allow_default_certificate = true to accept that explicitly."
  }
}

variable "allow_default_certificate" {
  description = "Accept CloudFront's default certificate (minimum protocol TLSv1) in prod when no domain is set. Outside prod it is always accepted."
  type        = bool
  default     = false
}

variable "waf" {
  description = "AWS WAF in front of CloudFront and on the Cognito user pool (off: neither), and its per-IP limits in requests per 5 minutes: every request at the edge, POST /api/uploads, /api/public/*, and Cognito (sign-in, sign-up, token refresh)."
  type = object({
    enabled            = optional(bool, true)
    rate_limit         = optional(number, 2000)
    uploads_rate_limit = optional(number, 300)
    public_rate_limit  = optional(number, 300)
    auth_rate_limit    = optional(number, 300)
  })
  default = {}
}

variable "origin_verify_generation" {
  description = "Generation of the secret header CloudFront adds to /api/* requests, which the api function requires. Raise it by one to rotate (docs/operations.md)."
  type        = number
  default     = 1
}

variable "signing_public_key_pem" {
  description = "PEM public key for CloudFront signed URLs; null generates a key pair and stores the private half in SSM."
  type        = string
  default     = null
}

variable "cognito_mfa" {
  description = "Cognito MFA: OFF, OPTIONAL (users may enrol a TOTP app) or ON (everyone must; never OFF in prod). Null: ON in prod, OPTIONAL elsewhere."
  type        = string
  default     = null

  validation {
    condition     = var.cognito_mfa == null || contains(["OFF", "OPTIONAL", "ON"], coalesce(var.cognito_mfa, "ON"))
    error_message = "cognito_mfa must be OFF, OPTIONAL, ON or null."
  }

  validation {
    condition     = !(var.environment == "prod" && var.cognito_mfa == "OFF")
    error_message = "prod cannot turn MFA off: leave cognito_mfa unset (ON) or set OPTIONAL deliberately."
  }
}

variable "identity_providers" {
  description = "Social sign-in through Cognito's hosted UI, by provider name: Google, SignInWithApple, Facebook, LoginWithAmazon, or an OIDC provider's own name (type = \"OIDC\", oidc_issuer). secret_parameter names an SSM SecureString with the client secret (Apple: the private key). Empty (the default): no hosted-UI domain, no buttons in the app. See modules/api."
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
}

variable "cognito_threat_protection" {
  description = "Cognito threat protection (Plus feature plan): ENFORCED blocks or challenges risky sign-ins and compromised passwords, AUDIT only logs the risk, OFF disables it."
  type        = string
  default     = "ENFORCED"
}

variable "api_throttling" {
  description = "HTTP API throttling for all callers together, in requests per second and burst: the stage default and lower limits by route (\"POST /uploads\", \"GET /public/shares/{token}\") so a flood on those cannot take every other route's budget. Per-IP limits: waf."
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
    routes = {
      "POST /uploads"              = { rate_limit = 10, burst_limit = 20 }
      "GET /public/shares/{token}" = { rate_limit = 10, burst_limit = 20 }
    }
  }
}

variable "alarm_email" {
  description = "E-mail subscribed to the alarm topic; null for none."
  type        = string
  default     = null
}

variable "max_upload_bytes" {
  description = "Largest photo upload the web app accepts, in bytes (keep equal to the API's MAX_UPLOAD_BYTES, 50 MiB by default)."
  type        = number
  default     = 52428800
}

variable "upload_quota" {
  description = "Per-user limits of POST /uploads: uploads started per rolling hour, uploads unfinished at once (1-1000), bytes stored (20 GiB). The defaults are settings.py's."
  type = object({
    uploads_per_hour = optional(number, 200)
    pending_uploads  = optional(number, 50)
    bytes            = optional(number, 21474836480)
  })
  default = {}
}

variable "tags" {
  description = "Tags added to every taggable resource of every module, on top of the provider's default_tags (Project, Environment, ManagedBy)."
  type        = map(string)
  default     = {}
}
