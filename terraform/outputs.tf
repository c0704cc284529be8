output "site_url" {
  description = "URL of the web app."
  value       = local.site_url
}

output "api_url" {
  description = "Base URL of the API as browsers call it (through CloudFront)."
  value       = "${local.site_url}/api"
}

output "api_endpoint" {
  description = "Direct endpoint of the HTTP API (operators and smoke tests)."
  value       = module.api.api_endpoint
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
  value       = module.compute.signing_key_parameter_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of this environment."
  value       = module.monitoring.dashboard_name
}
