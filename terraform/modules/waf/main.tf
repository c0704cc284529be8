# One AWS WAF web ACL: per-IP rate-based rules (optionally for one URL path prefix each), then AWS managed rule
# groups, request logs in an encrypted log group, and the regional resources it protects. Used for the CloudFront
# distribution (scope CLOUDFRONT, us-east-1) and the Cognito user pool (REGIONAL), so both get the same rules.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # Rate rules first (a flood is blocked before the managed groups spend capacity on it), in name order.
  rate_rules = {
    for index, name in sort(keys(var.rate_limits)) : name => merge(var.rate_limits[name], { priority = index + 1 })
  }
  managed_rules = {
    for index, name in var.managed_rule_groups : name => { priority = length(var.rate_limits) + index + 1 }
  }

  # Decided by the scope, which is known at plan time (the environment key's ARN is not, on a first apply).
  create_kms_key = var.scope == "CLOUDFRONT"
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
  log_group_name = coalesce(var.log_group_name, "aws-waf-logs-${var.name}")
}

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = var.description
  scope       = var.scope
  tags        = var.tags

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.rate_rules

    content {
      name     = rule.key
      priority = rule.value.priority

      action {
        block {}
      }

      statement {
        rate_based_statement {
          limit              = rule.value.limit
          aggregate_key_type = "IP"

          dynamic "scope_down_statement" {
            for_each = rule.value.path_prefix == null ? [] : [rule.value.path_prefix]

            content {
              byte_match_statement {
                positional_constraint = "STARTS_WITH"
                search_string         = scope_down_statement.value

                field_to_match {
                  uri_path {}
                }

                # Count /api/%70ublic/... and /api/./uploads like the paths they are.
                text_transformation {
                  priority = 0
                  type     = "URL_DECODE"
                }

                text_transformation {
                  priority = 1
                  type     = "NORMALIZE_PATH"
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = rule.key
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = local.managed_rules

    content {
      name     = rule.key
      priority = rule.value.priority

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          name        = rule.key
          vendor_name = "AWS"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = rule.key
        sampled_requests_enabled   = true
      }
    }
  }

  # Always last and not optional: known exploit payloads (Log4Shell JNDI lookups and the like) in any request.
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = length(var.rate_limits) + length(var.managed_rule_groups) + 1

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
    metric_name                = var.name
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  for_each = var.associations

  resource_arn = each.value
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

# ---------------------------------------------------------------- request logs

# WAF logs must go to a log group in the web ACL's region; a CloudFront-scope ACL lives in us-east-1, where the
# environment has no key, so it gets its own small one.
data "aws_iam_policy_document" "key" {
  count = local.create_kms_key ? 1 : 0

  #checkov:skip=CKV_AWS_109:Key policy, not an identity policy: Resource "*" is this key only; the account-root statement is the AWS default that lets IAM delegate use of the key.
  #checkov:skip=CKV_AWS_111:Key policy, not an identity policy: Resource "*" is this key only; CloudWatch Logs is limited by an encryption-context condition to this account's log groups.
  #checkov:skip=CKV_AWS_356:Key policy, not an identity policy: Resource "*" is the only valid resource in a key policy and means this key.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "${var.name}: WAF logs (${local.region})"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key[0].json
  tags                    = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.this.arn]

  # Bearer tokens and cookies are credentials: the logs keep that they were sent, not their values.
  dynamic "redacted_fields" {
    for_each = toset(["authorization", "cookie"])

    content {
      single_header {
        name = redacted_fields.value
      }
    }
  }
}
