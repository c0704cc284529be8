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

output "intake_queue_name" {
  description = "Name of the intake queue S3 notifies (the forwarder's event source)."
  value       = aws_sqs_queue.intake.name
}

output "intake_dlq_name" {
  description = "Name of the intake dead-letter queue."
  value       = aws_sqs_queue.intake_dlq.name
}

output "intake_dlq_url" {
  description = "URL of the intake dead-letter queue (for redrive)."
  value       = aws_sqs_queue.intake_dlq.id
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

output "jobs_queue_name" {
  description = "Name of the jobs queue (one message per job step)."
  value       = aws_sqs_queue.jobs.name
}

output "jobs_queue_url" {
  description = "URL of the jobs queue."
  value       = aws_sqs_queue.jobs.id
}

output "jobs_dlq_name" {
  description = "Name of the jobs dead-letter queue."
  value       = aws_sqs_queue.jobs_dlq.name
}

output "jobs_dlq_url" {
  description = "URL of the jobs dead-letter queue (for redrive)."
  value       = aws_sqs_queue.jobs_dlq.id
}

output "purge_failures_queue_name" {
  description = "Name of the queue where stream batches the purge could not process are described."
  value       = aws_sqs_queue.purge_failures.name
}

output "purge_failures_queue_url" {
  description = "URL of the purge failure queue."
  value       = aws_sqs_queue.purge_failures.id
}
