environment = "dev"
region      = "eu-west-1"

network = {
  cidr_block         = "10.20.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

reserved_concurrency = {
  api    = 10
  worker = 5
}
worker_maximum_concurrency = 2

deletion_protection = false
force_destroy       = true # `make destroy ENV=dev` empties the versioned buckets

waf = {
  enabled = false # dev is not public; saves the two web ACLs' monthly cost (edge and Cognito)
}

api_throttling = {
  rate_limit  = 50
  burst_limit = 100
  routes = {
    "POST /uploads"              = { rate_limit = 5, burst_limit = 10 }
    "GET /public/shares/{token}" = { rate_limit = 5, burst_limit = 10 }
  }
}
