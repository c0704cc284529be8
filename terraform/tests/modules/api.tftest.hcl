# The api module on its own: the routes and their authorization, the password policy and token lifetimes come from
# its inputs (resources.json in the root), nothing is hard-wired; the user pool is hardened (threat protection,
# case-insensitive sign-in, no user enumeration, revocable tokens); uploads and public share views have their own
# throttling.

mock_provider "aws" {}

override_resource {
  target          = aws_apigatewayv2_authorizer.cognito
  override_during = plan
  values          = { id = "jwt-authorizer" }
}

variables {
  name_prefix         = "pv-test"
  function_name       = "pv-test-api"
  function_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:pv-test-api/invocations"
  callback_urls       = ["https://photos.example.com/"]
  kms_key_arn         = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
  routes = [
    { route = "GET /photos", auth = "jwt" },
    { route = "DELETE /photos/{id}", auth = "jwt" },
    { route = "POST /uploads", auth = "jwt" },
    { route = "GET /public/shares/{token}", auth = "none" },
    { route = "GET /health", auth = "none" },
  ]
  user_pool = {
    username_attributes     = ["email"]
    username_case_sensitive = false
    token_validity          = { access_token_minutes = 15, id_token_minutes = 15, refresh_token_days = 30 }
    password_policy = {
      minimum_length                   = 14
      require_lowercase                = true
      require_uppercase                = true
      require_numbers                  = true
      require_symbols                  = false
      temporary_password_validity_days = 2
    }
  }
}

run "routes_and_password_policy" {
  command = plan

  module {
    source = "./modules/api"
  }

  assert {
    condition = (
      toset([for route in values(aws_apigatewayv2_route.this) : route.route_key]) == toset(["GET /api/photos", "DELETE /api/photos/{id}", "POST /api/uploads"]) &&
      alltrue([for route in values(aws_apigatewayv2_route.this) : route.authorization_type == "JWT" && route.authorizer_id == "jwt-authorizer"])
    )
    error_message = "Every route marked jwt is served under /api and needs the Cognito JWT authorizer."
  }

  assert {
    condition     = toset([for route in values(aws_apigatewayv2_route.public) : route.route_key]) == toset(["GET /api/health", "GET /api/public/shares/{token}"]) && aws_apigatewayv2_route.public["GET /health"].authorization_type == "NONE"
    error_message = "Only the routes marked none are public."
  }

  assert {
    condition = alltrue([
      for field, value in var.user_pool.password_policy : one(aws_cognito_user_pool.this.password_policy)[field] == value
    ]) && one(aws_cognito_user_pool.this.password_policy).minimum_length == 14
    error_message = "The password policy is the one given (resources.json user_pool.password_policy)."
  }
}

run "user_pool_is_hardened" {
  command = plan

  module {
    source = "./modules/api"
  }

  assert {
    condition = (
      one(aws_cognito_user_pool.this.user_pool_add_ons).advanced_security_mode == "ENFORCED" &&
      aws_cognito_user_pool.this.user_pool_tier == "PLUS"
    )
    error_message = "Threat protection is enforced by default, which needs the Plus feature plan."
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.username_configuration).case_sensitive == false
    error_message = "Alice@Example.com and alice@example.com must be one account, not two."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.prevent_user_existence_errors == "ENABLED" &&
      aws_cognito_user_pool_client.web.enable_token_revocation &&
      !aws_cognito_user_pool_client.web.generate_secret
    )
    error_message = "Sign-in errors must not reveal whether an account exists, and refresh tokens must be revocable (sign-out)."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.id_token_validity == 15 &&
      aws_cognito_user_pool_client.web.access_token_validity == 15 &&
      aws_cognito_user_pool_client.web.refresh_token_validity == 30 &&
      one(aws_cognito_user_pool_client.web.token_validity_units) == { access_token = "minutes", id_token = "minutes", refresh_token = "days" }
    )
    error_message = "ID and access tokens live 15 minutes (resources.json token_validity), refresh tokens 30 days."
  }

  assert {
    condition     = aws_cognito_user_pool.this.mfa_configuration == "OPTIONAL" && one(aws_cognito_user_pool.this.software_token_mfa_configuration).enabled
    error_message = "By default MFA is optional and a TOTP app can be enrolled."
  }
}

run "mfa_required_with_totp" {
  command = plan

  module {
    source = "./modules/api"
  }

  variables {
    mfa_configuration = "ON"
    threat_protection = "AUDIT"
  }

  assert {
    condition     = aws_cognito_user_pool.this.mfa_configuration == "ON" && one(aws_cognito_user_pool.this.software_token_mfa_configuration).enabled
    error_message = "MFA ON requires a TOTP app (no SMS is configured)."
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.user_pool_add_ons).advanced_security_mode == "AUDIT" && aws_cognito_user_pool.this.user_pool_tier == "PLUS"
    error_message = "Audit mode is threat protection too: still the Plus plan."
  }
}

run "throttling_per_route" {
  command = plan

  module {
    source = "./modules/api"
  }

  variables {
    throttling = {
      rate_limit  = 200
      burst_limit = 400
      routes = {
        "POST /uploads"              = { rate_limit = 20, burst_limit = 40 }
        "GET /public/shares/{token}" = { rate_limit = 10, burst_limit = 25 }
      }
    }
  }

  assert {
    condition = {
      for setting in aws_apigatewayv2_stage.this.route_settings : setting.route_key => [setting.throttling_rate_limit, setting.throttling_burst_limit]
      } == {
      "POST /api/uploads"              = [20, 40]
      "GET /api/public/shares/{token}" = [10, 25]
    }
    error_message = "Uploads and public share views are throttled on their own routes, below the stage default."
  }

  assert {
    condition     = one(aws_apigatewayv2_stage.this.default_route_settings).throttling_rate_limit == 200 && one(aws_apigatewayv2_stage.this.default_route_settings).throttling_burst_limit == 400
    error_message = "Every other route keeps the stage default."
  }
}

run "throttling_names_only_existing_routes" {
  command = plan

  module {
    source = "./modules/api"
  }

  variables {
    throttling = {
      rate_limit  = 50
      burst_limit = 100
      routes      = { "POST /upload" = { rate_limit = 5, burst_limit = 10 } }
    }
  }

  expect_failures = [var.throttling]
}

run "no_identity_provider_no_hosted_ui" {
  command = plan

  module {
    source = "./modules/api"
  }

  assert {
    condition = (
      length(aws_cognito_identity_provider.this) == 0 && length(aws_cognito_user_pool_domain.this) == 0 &&
      aws_cognito_user_pool_client.web.supported_identity_providers == toset(["COGNITO"]) &&
      output.hosted_ui_url == "" && output.identity_providers == []
    )
    error_message = "Without identity providers: password sign-in only, no hosted-UI domain, no buttons for the app."
  }
}

run "one_identity_provider_through_the_hosted_ui" {
  command = plan

  module {
    source = "./modules/api"
  }

  override_data {
    target = data.aws_ssm_parameter.identity_provider_secret["Google"]
    values = { value = "google-client-secret" }
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  variables {
    identity_providers = {
      Google = { type = "Google", client_id = "1234.apps.googleusercontent.com", secret_parameter = "/pv-test/google-secret" }
    }
  }

  assert {
    condition = (
      aws_cognito_identity_provider.this["Google"].provider_type == "Google" &&
      aws_cognito_identity_provider.this["Google"].provider_details["client_id"] == "1234.apps.googleusercontent.com" &&
      aws_cognito_identity_provider.this["Google"].provider_details["client_secret"] == "google-client-secret" &&
      aws_cognito_identity_provider.this["Google"].provider_details["authorize_scopes"] == "openid email profile" &&
      aws_cognito_identity_provider.this["Google"].attribute_mapping["email"] == "email" && length(aws_cognito_identity_provider.this["Google"].attribute_mapping) == 1
    )
    error_message = "The Google provider gets its client id, the secret from SSM (never tfvars) and maps the e-mail."
  }

  assert {
    condition = (
      aws_cognito_user_pool_client.web.supported_identity_providers == toset(["COGNITO", "Google"]) &&
      aws_cognito_user_pool_client.web.allowed_oauth_flows == toset(["code"]) &&
      aws_cognito_user_pool_client.web.generate_secret == false &&
      aws_cognito_user_pool_domain.this[0].domain == "pv-test-111122223333"
    )
    error_message = "The app client offers Google next to passwords, through the authorization-code flow of a public client (PKCE), on its own hosted-UI domain."
  }

  assert {
    condition = (
      output.hosted_ui_url == "https://pv-test-111122223333.auth.${data.aws_region.current.region}.amazoncognito.com" &&
      output.identity_providers == [{ id = "Google", label = "Google" }]
    )
    error_message = "The app learns the hosted UI's URL and one button."
  }
}

run "an_oidc_provider_needs_its_issuer" {
  command = plan

  module {
    source = "./modules/api"
  }

  variables {
    identity_providers = {
      Acme = { type = "OIDC", client_id = "acme", secret_parameter = "/pv-test/acme-secret" }
    }
  }

  expect_failures = [var.identity_providers]
}
