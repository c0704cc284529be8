output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key."
  value       = aws_kms_key.this.arn
}

output "bucket_names" {
  description = "Bucket names by role (originals, derivatives, web, logs)."
  value       = merge({ for role, bucket in aws_s3_bucket.this : role => bucket.id }, { logs = aws_s3_bucket.logs.id })
}

output "bucket_arns" {
  description = "Bucket ARNs by role (originals, derivatives, web, logs)."
  value       = merge({ for role, bucket in aws_s3_bucket.this : role => bucket.arn }, { logs = aws_s3_bucket.logs.arn })
}

output "bucket_regional_domain_names" {
  description = "Regional domain names by role, for CloudFront origins and the upload endpoint."
  value       = merge({ for role, bucket in aws_s3_bucket.this : role => bucket.bucket_regional_domain_name }, { logs = aws_s3_bucket.logs.bucket_regional_domain_name })
}

output "table_name" {
  description = "Name of the DynamoDB table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the DynamoDB table."
  value       = aws_dynamodb_table.this.arn
}

output "table_stream_arn" {
  description = "ARN of the DynamoDB table's stream."
  value       = aws_dynamodb_table.this.stream_arn
}

output "vector_bucket_name" {
  description = "Name of the S3 Vectors bucket."
  value       = aws_s3vectors_vector_bucket.this.vector_bucket_name
}

output "vector_index_name" {
  description = "Name of the photos' vector index."
  value       = aws_s3vectors_index.photos.index_name
}

output "vector_index_arn" {
  description = "ARN of the photos' vector index."
  value       = aws_s3vectors_index.photos.index_arn
}
