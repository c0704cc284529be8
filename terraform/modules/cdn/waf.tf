# Optional AWS WAF in front of the distribution (CloudFront scope lives in us-east-1): AWS managed rule sets
# (common exploits, known bad inputs incl. Log4j, IP reputation) and a per-IP rate limit.

resource "aws_wafv2_web_acl" "this" {
  count    = local.waf_enabled ? 1 : 0
  provider = aws.us_east_1

  name        = "${var.name_prefix}-edge"
  description = "PhotoVault edge protection"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf.rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit-per-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAmazonIpReputationList"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name_prefix}-edge"
    sampled_requests_enabled   = true
  }
}

# WAF logs must go to a log group in the web ACL's region, so us-east-1 gets its own small key.
data "aws_iam_policy_document" "edge_key" {
  #checkov:skip=CKV_AWS_109:Key policy, not an identity policy: Resource "*" is this key only; the account-root statement is the AWS default that lets IAM delegate use of the key.
  #checkov:skip=CKV_AWS_111:Key policy, not an identity policy: Resource "*" is this key only; CloudWatch Logs is limited by an encryption-context condition to this account's log groups.
  #checkov:skip=CKV_AWS_356:Key policy, not an identity policy: Resource "*" is the only valid resource in a key policy and means this key.
  # Key policy: Resource "*" means this key; the account-root statement is AWS's default and keeps it manageable.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.us-east-1.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:us-east-1:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "edge" {
  count    = local.waf_enabled ? 1 : 0
  provider = aws.us_east_1

  description             = "${var.name_prefix}: WAF logs (us-east-1)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.edge_key.json
}

resource "aws_cloudwatch_log_group" "waf" {
  count    = local.waf_enabled ? 1 : 0
  provider = aws.us_east_1

  name              = "aws-waf-logs-${var.name_prefix}" # WAF requires the aws-waf-logs- prefix
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.edge[0].arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count    = local.waf_enabled ? 1 : 0
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]
}
