environment = "staging"
region      = "eu-west-1"

network = {
  cidr_block         = "10.30.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

reserved_concurrency = {
  api    = 20
  worker = 10
}
worker_maximum_concurrency = 5

deletion_protection = false
force_destroy       = true # `make destroy ENV=staging` empties the versioned buckets

waf = {
  enabled            = true
  rate_limit         = 2000
  uploads_rate_limit = 300
  public_rate_limit  = 300
  auth_rate_limit    = 300
}

api_throttling = {
  rate_limit  = 50
  burst_limit = 100
  routes = {
    "POST /uploads"              = { rate_limit = 10, burst_limit = 20 }
    "GET /public/shares/{token}" = { rate_limit = 10, burst_limit = 20 }
  }
}
