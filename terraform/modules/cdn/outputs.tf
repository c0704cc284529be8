output "distribution_id" {
  description = "ID of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "The distribution's *.cloudfront.net domain name."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "public_key_id" {
  description = "ID of the CloudFront public key: the key pair ID signed URLs carry (CLOUDFRONT_KEY_PAIR_ID)."
  value       = aws_cloudfront_public_key.this.id
}

output "key_group_id" {
  description = "ID of the trusted key group required on /media/*."
  value       = aws_cloudfront_key_group.this.id
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL, or null when WAF is off."
  value       = local.waf_enabled ? aws_wafv2_web_acl.this[0].arn : null
}
