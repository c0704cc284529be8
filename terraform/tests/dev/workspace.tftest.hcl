# The dev workspace with environments/dev.tfvars (scripts/tftest.py passes the file and TF_WORKSPACE=dev).

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

run "dev_tfvars_plan" {
  command = plan

  assert {
    condition     = var.force_destroy && !var.deletion_protection
    error_message = "dev can be torn down: make destroy ENV=dev empties its buckets."
  }

  assert {
    condition     = length(module.edge_waf) == 0 && length(module.auth_waf) == 0 && local.cognito_mfa == "OPTIONAL"
    error_message = "dev runs without the web ACLs (not public) and with optional MFA."
  }
}

run "guard_rejects_tfvars_of_another_environment" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [terraform_data.environment_guard]
}
