output "site_url" {
  description = "URL of the web app."
  value       = local.site_url
}

output "api_url" {
  description = "Base URL of the API (through CloudFront: the API's own execute-api address refuses requests without CloudFront's origin secret)."
  value       = "${local.site_url}/api"
}

output "user_pool_id" {
  description = "Cognito user pool ID."
  value       = module.api.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client ID of the web app."
  value       = module.api.user_pool_client_id
}

output "bucket_names" {
  description = "Bucket names by role (originals, derivatives, web, logs)."
  value       = module.storage.bucket_names
}

output "table_name" {
  description = "Name of the DynamoDB table."
  value       = module.storage.table_name
}

output "ingest_queue_url" {
  description = "URL of the ingest queue."
  value       = module.compute.ingest_queue_url
}

output "dlq_url" {
  description = "URL of the ingest dead-letter queue (make redrive)."
  value       = module.compute.dlq_url
}

output "function_names" {
  description = "Lambda function names by role."
  value       = module.compute.function_names
}

output "distribution_id" {
  description = "CloudFront distribution ID (cache invalidation after a web deploy)."
  value       = module.cdn.distribution_id
}

output "signing_key_parameter_name" {
  description = "SSM parameter holding the CloudFront signing private key."
  value       = module.cdn.signing_key_parameter_name
}

output "signing_public_key_pem" {
  description = "PEM public key CloudFront trusts for signed /media/* URLs (compare with the SSM private key when rotating)."
  value       = module.cdn.signing_public_key_pem
}

output "dashboard_name" {
  description = "CloudWatch dashboard of this environment."
  value       = module.monitoring.dashboard_name
}
