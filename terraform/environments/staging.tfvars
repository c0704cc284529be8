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

waf = {
  enabled    = true
  rate_limit = 2000
}
