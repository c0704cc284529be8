environment = "prod"
region      = "eu-west-1"

network = {
  cidr_block         = "10.40.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

reserved_concurrency = {
  api    = 100
  worker = 20
}
worker_maximum_concurrency = 10

deletion_protection = true
force_destroy       = false # a destroy stops at buckets that hold photos
# cognito_mfa is left unset: prod requires MFA (TOTP). The web app must offer TOTP enrolment before this applies.

# Per IP, requests per 5 minutes: everything at the edge, POST /api/uploads, /api/public/*, Cognito sign-in.
waf = {
  enabled            = true
  rate_limit         = 2000
  uploads_rate_limit = 600 # a 200-photo drop is 200 POSTs; a second one within 5 minutes still fits
  public_rate_limit  = 300
  auth_rate_limit    = 300
}

# For everybody together (requests per second, burst). Uploads and public share views have their own budget so a
# flood on them leaves the rest of the API its 200 req/s.
api_throttling = {
  rate_limit  = 200
  burst_limit = 400
  routes = {
    "POST /uploads"              = { rate_limit = 50, burst_limit = 100 }
    "GET /public/shares/{token}" = { rate_limit = 25, burst_limit = 50 }
  }
}

# No custom domain yet: CloudFront's default certificate (minimum TLSv1) is accepted explicitly. Set the domain
# (ACM certificate validated in its Route 53 zone, TLS >= 1.2) and delete allow_default_certificate:
# domain = { name = "photos.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
allow_default_certificate = true
