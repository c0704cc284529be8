output "function_names" {
  description = "Lambda function names by role (api, worker)."
  value       = { for name, fn in aws_lambda_function.this : name => fn.function_name }
}

output "function_arns" {
  description = "Lambda function ARNs by role (api, worker)."
  value       = { for name, fn in aws_lambda_function.this : name => fn.arn }
}

output "function_invoke_arns" {
  description = "Lambda invoke ARNs by role, for API Gateway integrations."
  value       = { for name, fn in aws_lambda_function.this : name => fn.invoke_arn }
}

output "role_arns" {
  description = "Execution role ARNs by function."
  value       = { for name, role in aws_iam_role.this : name => role.arn }
}

output "ingest_queue_name" {
  description = "Name of the ingest queue."
  value       = aws_sqs_queue.ingest.name
}

output "ingest_queue_arn" {
  description = "ARN of the ingest queue."
  value       = aws_sqs_queue.ingest.arn
}

output "ingest_queue_url" {
  description = "URL of the ingest queue."
  value       = aws_sqs_queue.ingest.id
}

output "dlq_name" {
  description = "Name of the ingest dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "dlq_arn" {
  description = "ARN of the ingest dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the ingest dead-letter queue (for redrive)."
  value       = aws_sqs_queue.dlq.id
}

output "events_topic_arn" {
  description = "ARN of the photo-events SNS topic."
  value       = aws_sns_topic.events.arn
}

output "signing_key_parameter_name" {
  description = "SSM SecureString parameter holding the CloudFront signing private key."
  value       = local.signing_key_parameter_name
}

output "signing_public_key_pem" {
  description = "PEM public key to trust in CloudFront: the supplied one, or the generated key's public half."
  value       = var.signing_public_key_pem != null ? var.signing_public_key_pem : tls_private_key.signing[0].public_key_pem
}
