# Signed URLs for /media/*: the key pair the api function signs with and the trusted key group that verifies it.
# Moved here from the compute module (root moved.tf): the key belongs to the distribution that trusts it.

locals {
  generate_signing_key       = var.signing_public_key_pem == null
  signing_key_parameter_name = "/${var.name_prefix}/cloudfront/signing-key"
  signing_key_parameter_arn  = "${local.parameter_arn_prefix}${local.signing_key_parameter_name}"
  signing_public_key_pem     = local.generate_signing_key ? tls_private_key.signing[0].public_key_pem : var.signing_public_key_pem
}

# Generated only when no public key is supplied. The private half is also in Terraform state, which is why the
# state bucket is encrypted, versioned and private (scripts/bootstrap_state.py).
resource "tls_private_key" "signing" {
  count = local.generate_signing_key ? 1 : 0

  algorithm = "RSA"
  rsa_bits  = 2048 # CloudFront trusted key groups accept RSA 2048 keys only
}

resource "aws_ssm_parameter" "signing_key" {
  count = local.generate_signing_key ? 1 : 0

  name        = local.signing_key_parameter_name
  description = "Private key that signs CloudFront /media/* URLs (PEM)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = tls_private_key.signing[0].private_key_pem
  tags        = var.tags
}

resource "aws_cloudfront_public_key" "this" {
  name_prefix = "${var.name_prefix}-media-"
  comment     = "Verifies signed /media/* URLs minted by the api function"
  encoded_key = local.signing_public_key_pem

  lifecycle {
    create_before_destroy = true # rotate without a window where no key is trusted
  }
}

resource "aws_cloudfront_key_group" "this" {
  name    = "${var.name_prefix}-media"
  comment = "Keys trusted to sign /media/* URLs"
  items   = [aws_cloudfront_public_key.this.id]
}
