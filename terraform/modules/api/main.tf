data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  # The routes and their authorization come from resources.json (api.routes), which the local gateway and api.py's
  # route table read too: everything needs a verified Cognito JWT except what is marked "none".
  prefixed         = { for route in var.routes : route.route => replace(route.route, " /", " ${var.route_prefix}/") }
  protected_routes = { for route in var.routes : route.route => local.prefixed[route.route] if route.auth == "jwt" }
  public_routes    = { for route in var.routes : route.route => local.prefixed[route.route] if route.auth == "none" }
}

# ---------------------------------------------------------------- Cognito

# Threat protection (adaptive authentication, compromised-credential checks) exists only on the Plus feature plan;
# without it the cheaper Essentials plan has everything else this pool uses.
resource "aws_cognito_user_pool" "this" {
  name                     = "${var.name_prefix}-users"
  username_attributes      = var.user_pool.username_attributes
  auto_verified_attributes = ["email"]
  mfa_configuration        = var.mfa_configuration
  user_pool_tier           = var.threat_protection == "OFF" ? "ESSENTIALS" : "PLUS"
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  tags                     = var.tags

  # Changing this replaces the pool (new user ids): see the README's Notes before touching it on a live pool.
  username_configuration {
    case_sensitive = var.user_pool.username_case_sensitive
  }

  password_policy {
    minimum_length                   = var.user_pool.password_policy.minimum_length
    require_lowercase                = var.user_pool.password_policy.require_lowercase
    require_uppercase                = var.user_pool.password_policy.require_uppercase
    require_numbers                  = var.user_pool.password_policy.require_numbers
    require_symbols                  = var.user_pool.password_policy.require_symbols
    temporary_password_validity_days = var.user_pool.password_policy.temporary_password_validity_days
  }

  dynamic "software_token_mfa_configuration" {
    for_each = var.mfa_configuration == "OFF" ? [] : [true]

    content {
      enabled = true
    }
  }

  user_pool_add_ons {
    advanced_security_mode = var.threat_protection
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }
}

# The web app is a public client: it cannot keep a secret, so it has none and uses SRP.
resource "aws_cognito_user_pool_client" "web" {
  name                          = "${var.name_prefix}-web"
  user_pool_id                  = aws_cognito_user_pool.this.id
  generate_secret               = false
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  # The web app signs in with USER_PASSWORD_AUTH (password sent to Cognito over TLS, never to our API); SRP stays
  # allowed for clients that implement it.
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  supported_identity_providers         = concat(["COGNITO"], keys(var.identity_providers))
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email"]
  callback_urls                        = var.callback_urls
  logout_urls                          = var.callback_urls
  # Short ID/access tokens: a token outlives sign-out, a password change or a deleted account by at most this long
  # (the api function's "tokens valid after" check closes even that window). Refresh tokens are revocable.
  access_token_validity  = var.user_pool.token_validity.access_token_minutes
  id_token_validity      = var.user_pool.token_validity.id_token_minutes
  refresh_token_validity = var.user_pool.token_validity.refresh_token_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  # Cognito refuses a client naming a provider that does not exist yet.
  depends_on = [aws_cognito_identity_provider.this]
}

# ---------------------------------------------------------------- social sign-in (hosted UI)

# Each configured provider signs people in through Cognito's hosted UI (authorization code + PKCE in the web app);
# they become users of this pool, with the provider's e-mail as theirs. The secret comes from SSM, never tfvars
# (Cognito keeps provider_details, so it is in the state too: the state bucket is encrypted and private).
data "aws_ssm_parameter" "identity_provider_secret" {
  for_each = var.identity_providers

  name            = each.value.secret_parameter
  with_decryption = true
}

locals {
  identity_provider_details = {
    for name, idp in var.identity_providers : name => (
      idp.type == "OIDC" ? {
        client_id                 = idp.client_id
        client_secret             = data.aws_ssm_parameter.identity_provider_secret[name].value
        oidc_issuer               = idp.oidc_issuer
        authorize_scopes          = idp.authorize_scopes
        attributes_request_method = "GET"
        } : idp.type == "SignInWithApple" ? {
        client_id        = idp.client_id
        team_id          = idp.apple_team_id
        key_id           = idp.apple_key_id
        private_key      = data.aws_ssm_parameter.identity_provider_secret[name].value
        authorize_scopes = idp.authorize_scopes == "openid email profile" ? "email name" : idp.authorize_scopes # Apple knows only these
        } : {
        client_id        = idp.client_id
        client_secret    = data.aws_ssm_parameter.identity_provider_secret[name].value
        authorize_scopes = idp.authorize_scopes
      }
    )
  }
}

resource "aws_cognito_identity_provider" "this" {
  for_each = var.identity_providers

  user_pool_id      = aws_cognito_user_pool.this.id
  provider_name     = each.key
  provider_type     = each.value.type
  provider_details  = local.identity_provider_details[each.key]
  attribute_mapping = each.value.type == "OIDC" ? { email = "email", username = "sub" } : { email = "email" }
}

resource "aws_cognito_user_pool_domain" "this" {
  count = length(var.identity_providers) > 0 ? 1 : 0

  domain       = coalesce(var.hosted_ui_domain_prefix, "${var.name_prefix}-${data.aws_caller_identity.current.account_id}")
  user_pool_id = aws_cognito_user_pool.this.id
}

# ---------------------------------------------------------------- HTTP API

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name_prefix}-api"
  protocol_type = "HTTP"
  description   = "PhotoVault HTTP API (served to browsers under /api/* through CloudFront)"
  tags          = var.tags
}

resource "aws_apigatewayv2_authorizer" "cognito" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    audience = [aws_cognito_user_pool_client.web.id]
    issuer   = "https://cognito-idp.${data.aws_region.current.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
  }
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = var.function_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.protected_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.cognito.id
}

resource "aws_apigatewayv2_route" "public" {
  #checkov:skip=CKV_AWS_309:Only routes marked auth "none" in resources.json: the health probe and the OpenAPI document return no user data, and a share link is opened by people without an account; the unguessable, expiring, revocable share token is the credential, checked by the function.
  for_each = local.public_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name_prefix}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# API Gateway throttles per stage and route, for all callers together (HTTP APIs have no per-client usage plans):
# the routes anyone can call in bulk (uploads, public share views) get their own, lower limits so a flood on them
# cannot use up the budget of every other route. Per-IP limits are the edge WAF's (root main.tf).
resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  default_route_settings {
    throttling_rate_limit  = var.throttling.rate_limit
    throttling_burst_limit = var.throttling.burst_limit
  }

  dynamic "route_settings" {
    for_each = var.throttling.routes

    content {
      # The route's own attribute (not a copy of its key), so the setting is created after the route exists.
      route_key              = merge(aws_apigatewayv2_route.this, aws_apigatewayv2_route.public)[route_settings.key].route_key
      throttling_rate_limit  = route_settings.value.rate_limit
      throttling_burst_limit = route_settings.value.burst_limit
    }
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      routeKey           = "$context.routeKey"
      path               = "$context.path"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      responseLatency    = "$context.responseLatency"
      integrationLatency = "$context.integrationLatency"
      integrationError   = "$context.integrationErrorMessage"
      authorizerError    = "$context.authorizer.error"
      sourceIp           = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      sub                = "$context.authorizer.claims.sub"
    })
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
