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
cognito_mfa         = "OPTIONAL"

waf = {
  enabled    = true
  rate_limit = 2000
}

api_throttling = {
  rate_limit  = 200
  burst_limit = 400
}

# Set to serve the site on its own name with TLS >= 1.2 (ACM certificate validated in this Route 53 zone):
# domain = { name = "photos.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
