output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_domain_name" {
  description = "Host name of the HTTP API's default endpoint, for the CloudFront origin only: the function refuses requests that do not come through CloudFront."
  value       = replace(aws_apigatewayv2_api.this.api_endpoint, "https://", "")
}

output "stage_name" {
  description = "Name of the API stage."
  value       = aws_apigatewayv2_stage.this.name
}

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the Cognito user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_client_id" {
  description = "ID of the web app's Cognito client (public, no secret)."
  value       = aws_cognito_user_pool_client.web.id
}

output "user_pool_issuer_url" {
  description = "OIDC issuer URL of the user pool (the JWT authorizer's issuer)."
  value       = "https://cognito-idp.${data.aws_region.current.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "hosted_ui_url" {
  description = "Base URL of the Cognito hosted UI (authorize, token, logout endpoints) when identity providers are configured; empty otherwise."
  value       = length(aws_cognito_user_pool_domain.this) > 0 ? "https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${data.aws_region.current.region}.amazoncognito.com" : ""
}

output "identity_providers" {
  description = "The sign-in buttons the web app shows: each configured provider's name (what Cognito's identity_provider parameter takes) and label."
  value       = [for name, idp in var.identity_providers : { id = name, label = coalesce(idp.label, name == "SignInWithApple" ? "Apple" : name) }]
}
