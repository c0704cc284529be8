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

output "signing_key_parameter_name" {
  description = "SSM SecureString parameter holding the private key that signs /media/* URLs."
  value       = local.signing_key_parameter_name
}

output "signing_key_parameter_arn" {
  description = "ARN of the signing-key parameter (the api function may read it)."
  value       = local.signing_key_parameter_arn
}

output "signing_public_key_pem" {
  description = "PEM public key trusted for /media/* (the supplied one or the generated key's public half): what a key rotation changes."
  value       = local.signing_public_key_pem
}

output "origin_verify_parameter_name" {
  description = "SSM SecureString the api function reads to verify that a request came through CloudFront: {\"header\": name, \"values\": [current, previous]}."
  value       = local.origin_verify_parameter_name
}

output "origin_verify_parameter_arn" {
  description = "ARN of the origin-secret parameter (the api function may read it)."
  value       = "${local.parameter_arn_prefix}${local.origin_verify_parameter_name}"
}
