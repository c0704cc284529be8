# The prod workspace with environments/prod.tfvars (scripts/tftest.py passes the file and TF_WORKSPACE=prod).

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

run "prod_tfvars_plan" {
  command = plan

  assert {
    condition     = var.deletion_protection && !var.force_destroy
    error_message = "prod keeps deletion protection and never force-destroys buckets."
  }

  assert {
    condition     = local.cognito_mfa == "ON" && var.cognito_threat_protection == "ENFORCED"
    error_message = "prod requires MFA and enforces Cognito threat protection."
  }

  assert {
    condition     = length(module.edge_waf) == 1 && length(module.auth_waf) == 1
    error_message = "prod has a WAF at the edge and one on the Cognito user pool."
  }

  assert {
    condition = alltrue([
      for route in ["POST /uploads", "GET /public/shares/{token}"] :
      var.api_throttling.routes[route].rate_limit < var.api_throttling.rate_limit
    ])
    error_message = "prod throttles uploads and public share views below the stage default, not one budget for everything."
  }
}

run "prod_mfa_cannot_be_turned_off" {
  command = plan

  variables {
    cognito_mfa = "OFF"
  }

  expect_failures = [var.cognito_mfa]
}

run "no_domain_fails_unless_allowed_explicitly" {
  command = plan

  variables {
    domain                    = null
    allow_default_certificate = false
  }

  expect_failures = [var.domain]
}

run "custom_domain_needs_no_exception" {
  command = plan

  variables {
    domain                    = { name = "photos.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
    allow_default_certificate = false
  }

  assert {
    condition     = output.site_url == "https://photos.example.com"
    error_message = "With a domain, prod is served on it."
  }
}

run "force_destroy_is_refused" {
  command = plan

  variables {
    force_destroy = true
  }

  expect_failures = [var.force_destroy]
}
