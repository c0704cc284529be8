data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  custom_domain = var.domain != null

  # The SSM parameters' ARNs are known at plan time, so the api role's policy can name them before they exist.
  parameter_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter"

  # AWS managed policies (IDs are global constants, documented in the CloudFront developer guide).
  cache_policy_caching_optimized               = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  cache_policy_caching_disabled                = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
  origin_request_policy_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac" # Managed-AllViewerExceptHostHeader

  content_security_policy = join("; ", [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src ${join(" ", concat(["'self'"], var.connect_sources))}",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ])
}

# ---------------------------------------------------------------- SPA routes

# Deep links (/photos/<id>, /s/<token>, ...) get index.html at the edge. Not a custom error response: that would
# also rewrite the API's 403/404 answers under /api/*.
resource "aws_cloudfront_function" "spa_rewrite" {
  name    = "${var.name_prefix}-spa-rewrite"
  runtime = "cloudfront-js-2.0"
  comment = "Extension-less paths of the web app -> /index.html"
  publish = true
  code    = file("${path.module}/functions/spa_rewrite.js")
}

# ---------------------------------------------------------------- policies

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name_prefix}-s3"
  description                       = "Signed (SigV4) requests from CloudFront to the private PhotoVault buckets"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  name    = "${var.name_prefix}-security-headers"
  comment = "HSTS, CSP, nosniff, frame-deny, referrer policy"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_security_policy {
      content_security_policy = local.content_security_policy
      override                = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

# ---------------------------------------------------------------- custom domain (optional)

resource "aws_acm_certificate" "this" {
  count    = local.custom_domain ? 1 : 0
  provider = aws.us_east_1

  domain_name       = var.domain.name
  validation_method = "DNS"
  tags              = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  count = local.custom_domain ? 1 : 0

  zone_id = var.domain.hosted_zone_id
  name    = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_name
  type    = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_type
  records = [one(aws_acm_certificate.this[0].domain_validation_options).resource_record_value]
  ttl     = 300
}

resource "aws_acm_certificate_validation" "this" {
  count    = local.custom_domain ? 1 : 0
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.validation[0].fqdn]
}

resource "aws_route53_record" "alias" {
  for_each = local.custom_domain ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.domain.hosted_zone_id
  name    = var.domain.name
  type    = each.key

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

# ---------------------------------------------------------------- distribution

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_86:Access logs use CloudFront standard logging v2 (aws_cloudwatch_log_delivery below, to the logs bucket); checkov only recognises the legacy logging_config, which needs S3 ACLs that this project keeps disabled.
  #checkov:skip=CKV_AWS_174:With a custom domain the viewer policy is TLSv1.2_2021. Without one, the default *.cloudfront.net certificate only accepts the TLSv1 policy value (AWS limitation); a prod plan without a domain fails unless allow_default_certificate is set (root variables.tf).
  #checkov:skip=CKV2_AWS_42:A custom ACM certificate is used whenever var.domain is set; environments without a domain can only use the default CloudFront certificate.
  #checkov:skip=CKV_AWS_310:Origins are single-region S3 buckets and one HTTP API; an origin group needs a replicated bucket in a second region, which this product does not run.
  #checkov:skip=CKV2_AWS_47:Log4j lookups are blocked by AWSManagedRulesKnownBadInputsRuleSet (CKV_AWS_192 passes; the backend is Python anyway). This check also demands AWSManagedRulesAnonymousIpList, which would lock out users of VPNs and privacy relays from their own photos.
  #checkov:skip=CKV_AWS_374:A personal photo vault for users anywhere; there is no legal or business basis for blocking countries.
  enabled             = true
  comment             = "${var.name_prefix} site, media and API"
  is_ipv6_enabled     = true
  http_version        = "http2and3"
  price_class         = var.price_class
  default_root_object = "index.html"
  aliases             = local.custom_domain ? [var.domain.name] : []
  web_acl_id          = var.web_acl_arn
  tags                = var.tags

  origin {
    origin_id                = "web"
    domain_name              = var.web_bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id                = "derivatives"
    domain_name              = var.derivatives_bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id   = "api"
    domain_name = var.api_domain_name

    # Proof for the api function that the request came through this distribution (origin_verify.tf).
    custom_header {
      name  = local.origin_verify_header
      value = local.origin_verify_secrets[0]
    }

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id           = "web"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa_rewrite.arn
    }
  }

  ordered_cache_behavior {
    path_pattern               = "/media/*"
    target_origin_id           = "derivatives"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
    trusted_key_groups         = [aws_cloudfront_key_group.this.id]
  }

  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = "api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_policy_all_viewer_except_host
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? aws_acm_certificate_validation.this[0].certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }

  # A rotated origin secret must be accepted (parameter) before CloudFront starts sending it.
  depends_on = [aws_ssm_parameter.origin_verify]
}

# ---------------------------------------------------------------- access logs (standard logging v2 → logs bucket)

resource "aws_cloudwatch_log_delivery_source" "this" {
  provider = aws.us_east_1

  name         = "${var.name_prefix}-cloudfront"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.this.arn
  tags         = var.tags
}

resource "aws_cloudwatch_log_delivery_destination" "this" {
  provider = aws.us_east_1

  name          = "${var.name_prefix}-cloudfront-s3"
  output_format = "parquet"
  tags          = var.tags

  delivery_destination_configuration {
    destination_resource_arn = "${var.logs_bucket_arn}/cloudfront"
  }
}

resource "aws_cloudwatch_log_delivery" "this" {
  provider = aws.us_east_1

  delivery_source_name     = aws_cloudwatch_log_delivery_source.this.name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.this.arn
  tags                     = var.tags
}
