output "web_acl_arn" {
  description = "ARN of the web ACL (a CloudFront distribution's web_acl_id)."
  value       = aws_wafv2_web_acl.this.arn
}

output "web_acl_id" {
  description = "ID of the web ACL."
  value       = aws_wafv2_web_acl.this.id
}

output "log_group_name" {
  description = "CloudWatch log group of the web ACL's request logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the log group of the web ACL's request logs."
  value       = aws_cloudwatch_log_group.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the request logs (the module's own for CLOUDFRONT, the given one for REGIONAL)."
  value       = local.kms_key_arn
}
