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

waf = {
  enabled = false # dev is not public; saves the web ACL's monthly cost
}
