# The cdn module on its own: both S3 origins behind OAC, signed URLs required on /media/*, the signing key it
# generates, the viewer TLS policy with and without a custom domain, the WAF it is given, and the secret header that
# proves to the api function that a request came through CloudFront (and its rotation).

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

override_resource {
  target          = aws_cloudfront_origin_access_control.this
  override_during = plan
  values          = { id = "E2OACTEST" }
}

override_resource {
  target          = aws_cloudfront_key_group.this
  override_during = plan
  values          = { id = "key-group-media" }
}

override_resource {
  target          = aws_cloudfront_response_headers_policy.this
  override_during = plan
  values          = { id = "security-headers" }
}

override_resource {
  target          = tls_private_key.signing
  override_during = plan
  values          = { private_key_pem = "generated-private-key", public_key_pem = "generated-public-key" }
}

override_resource {
  target          = tls_private_key.origin_verify
  override_during = plan
  values          = { private_key_pem = "origin-root-key" }
}

variables {
  name_prefix                             = "pv-test"
  web_bucket_regional_domain_name         = "pv-test-web.s3.eu-west-1.amazonaws.com"
  derivatives_bucket_regional_domain_name = "pv-test-derivatives.s3.eu-west-1.amazonaws.com"
  logs_bucket_arn                         = "arn:aws:s3:::pv-test-logs"
  api_domain_name                         = "abc123.execute-api.eu-west-1.amazonaws.com"
  kms_key_arn                             = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
}

run "origins_media_and_signing_key" {
  command = plan

  module {
    source = "./modules/cdn"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    tls           = tls
  }

  assert {
    condition = alltrue([
      for origin in aws_cloudfront_distribution.this.origin :
      origin.origin_access_control_id == "E2OACTEST" && length(origin.custom_origin_config) == 0
      if contains(["web", "derivatives"], origin.origin_id)
    ]) && length([for origin in aws_cloudfront_distribution.this.origin : origin if contains(["web", "derivatives"], origin.origin_id)]) == 2
    error_message = "Both S3 origins (web, derivatives) must be read through Origin Access Control, never as public websites."
  }

  assert {
    condition     = aws_cloudfront_origin_access_control.this.signing_behavior == "always" && aws_cloudfront_origin_access_control.this.origin_access_control_origin_type == "s3"
    error_message = "OAC signs every request to S3."
  }

  assert {
    condition = one([
      for behavior in aws_cloudfront_distribution.this.ordered_cache_behavior : behavior
      if behavior.path_pattern == "/media/*"
    ]).trusted_key_groups == tolist(["key-group-media"])
    error_message = "/media/* must only serve URLs signed by a key in the trusted key group."
  }

  assert {
    condition = alltrue([
      for behavior in concat(aws_cloudfront_distribution.this.default_cache_behavior, aws_cloudfront_distribution.this.ordered_cache_behavior) :
      behavior.viewer_protocol_policy == "redirect-to-https" && behavior.response_headers_policy_id == "security-headers"
    ])
    error_message = "Every behaviour redirects to HTTPS and sends the security headers."
  }

  assert {
    condition = (
      aws_ssm_parameter.signing_key[0].type == "SecureString" &&
      aws_ssm_parameter.signing_key[0].key_id == var.kms_key_arn &&
      aws_ssm_parameter.signing_key[0].value == "generated-private-key" &&
      aws_cloudfront_public_key.this.encoded_key == "generated-public-key"
    )
    error_message = "Without a supplied key, the module generates one: private half in an encrypted SecureString, public half trusted."
  }

  assert {
    condition     = one(aws_cloudfront_distribution.this.viewer_certificate).cloudfront_default_certificate && one(aws_cloudfront_distribution.this.viewer_certificate).minimum_protocol_version == "TLSv1"
    error_message = "Without a domain only the default certificate (and its TLSv1 policy) is possible."
  }
}

run "supplied_public_key_and_custom_domain" {
  command = plan

  module {
    source = "./modules/cdn"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    tls           = tls
  }

  variables {
    signing_public_key_pem = "operator-public-key"
    domain                 = { name = "photos.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
  }

  assert {
    condition     = length(tls_private_key.signing) == 0 && length(aws_ssm_parameter.signing_key) == 0 && aws_cloudfront_public_key.this.encoded_key == "operator-public-key"
    error_message = "A supplied public key is trusted as is; nothing is generated and no private key reaches the state."
  }

  assert {
    condition = (
      one(aws_cloudfront_distribution.this.viewer_certificate).minimum_protocol_version == "TLSv1.2_2021" &&
      one(aws_cloudfront_distribution.this.viewer_certificate).ssl_support_method == "sni-only" &&
      aws_cloudfront_distribution.this.aliases == toset(["photos.example.com"])
    )
    error_message = "With a custom domain the site is served with TLS >= 1.2 on that name."
  }
}

run "api_origin_gets_the_origin_secret" {
  command = plan

  module {
    source = "./modules/cdn"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    tls           = tls
  }

  variables {
    web_acl_arn = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/pv-test-edge/1"
  }

  assert {
    condition = (
      one([for origin in aws_cloudfront_distribution.this.origin : origin if origin.origin_id == "api"]).custom_header ==
      toset([{ name = "X-Origin-Verify", value = sha256("photovault-origin-verify/1/origin-root-key") }])
    )
    error_message = "CloudFront must add X-Origin-Verify with the current secret on the api origin: the function refuses requests without it."
  }

  assert {
    condition = alltrue([
      for origin in aws_cloudfront_distribution.this.origin : length(origin.custom_header) == 0 if origin.origin_id != "api"
    ])
    error_message = "The secret goes to the API only, never to S3."
  }

  assert {
    condition = (
      aws_ssm_parameter.origin_verify.name == "/pv-test/api/origin-verify" &&
      aws_ssm_parameter.origin_verify.type == "SecureString" &&
      aws_ssm_parameter.origin_verify.key_id == var.kms_key_arn &&
      jsondecode(aws_ssm_parameter.origin_verify.value) == { header = "x-origin-verify", values = [sha256("photovault-origin-verify/1/origin-root-key")] } &&
      output.origin_verify_parameter_name == aws_ssm_parameter.origin_verify.name &&
      endswith(output.origin_verify_parameter_arn, ":parameter/pv-test/api/origin-verify")
    )
    error_message = "The function reads the header name and the accepted values from an encrypted SecureString, and is given its ARN."
  }

  assert {
    condition     = aws_cloudfront_distribution.this.web_acl_id == var.web_acl_arn
    error_message = "The distribution is protected by the WAF web ACL it is given."
  }
}

run "rotating_the_origin_secret_keeps_the_previous_one_accepted" {
  command = plan

  module {
    source = "./modules/cdn"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    tls           = tls
  }

  variables {
    origin_verify_generation = 2
  }

  assert {
    condition = (
      jsondecode(aws_ssm_parameter.origin_verify.value).values == [
        sha256("photovault-origin-verify/2/origin-root-key"), sha256("photovault-origin-verify/1/origin-root-key"),
      ] &&
      one([for origin in aws_cloudfront_distribution.this.origin : origin if origin.origin_id == "api"]).custom_header ==
      toset([{ name = "X-Origin-Verify", value = sha256("photovault-origin-verify/2/origin-root-key") }])
    )
    error_message = "After a rotation CloudFront sends the new secret and the function still accepts the previous one, so edges not yet updated are not refused."
  }
}
