# The staging workspace with environments/staging.tfvars (scripts/tftest.py passes the file and TF_WORKSPACE=staging).

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

run "staging_tfvars_plan" {
  command = plan

  assert {
    condition     = var.force_destroy && !var.deletion_protection && var.waf.enabled
    error_message = "staging can be torn down (force_destroy) and is public behind WAF."
  }

  assert {
    condition     = length(module.edge_waf) == 1 && length(module.auth_waf) == 1 && local.cognito_mfa == "OPTIONAL"
    error_message = "staging has both web ACLs (edge, Cognito); MFA stays optional until the web app enrols TOTP."
  }
}
