# The waf module on its own: per-IP rate rules (one scoped to a path), the managed groups after them, logs without
# credentials, the user-pool association for a regional ACL, and its own log key only where none is given.

mock_provider "aws" {}

override_resource {
  target          = aws_wafv2_web_acl.this
  override_during = plan
  values          = { arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/pv-test-auth/1" }
}

variables {
  name        = "pv-test-edge"
  description = "test"
  scope       = "CLOUDFRONT"
  rate_limits = {
    "rate-limit-per-ip" = { limit = 2000 }
    "uploads-per-ip"    = { limit = 300, path_prefix = "/api/uploads" }
    "public-per-ip"     = { limit = 100, path_prefix = "/api/public/" }
  }
}

run "edge_rate_rules_per_path_then_managed_groups" {
  command = plan

  module {
    source = "./modules/waf"
  }

  assert {
    condition = alltrue([
      for name, rule in var.rate_limits : one([
        for acl_rule in aws_wafv2_web_acl.this.rule : one(one(acl_rule.statement).rate_based_statement)
        if acl_rule.name == name && try(length(one(acl_rule.action).block), 0) == 1
      ]).limit == rule.limit
    ])
    error_message = "Every rate limit is a blocking per-IP rate-based rule with its limit."
  }

  assert {
    condition = alltrue([
      for acl_rule in aws_wafv2_web_acl.this.rule :
      one(one(acl_rule.statement).rate_based_statement).aggregate_key_type == "IP" if length(one(acl_rule.statement).rate_based_statement) > 0
    ])
    error_message = "Rate rules count per client IP."
  }

  assert {
    condition = {
      for acl_rule in aws_wafv2_web_acl.this.rule : acl_rule.name => [
        for scope in one(one(acl_rule.statement).rate_based_statement).scope_down_statement : {
          path       = one(scope.byte_match_statement).search_string
          constraint = one(scope.byte_match_statement).positional_constraint
          uri_path   = length(one(one(scope.byte_match_statement).field_to_match).uri_path)
        }
      ] if length(one(acl_rule.statement).rate_based_statement) > 0
      } == {
      "rate-limit-per-ip" = []
      "uploads-per-ip"    = [{ path = "/api/uploads", constraint = "STARTS_WITH", uri_path = 1 }]
      "public-per-ip"     = [{ path = "/api/public/", constraint = "STARTS_WITH", uri_path = 1 }]
    }
    error_message = "uploads-per-ip counts only /api/uploads and public-per-ip only /api/public/*; the general limit counts everything."
  }

  assert {
    condition = (
      max([for acl_rule in aws_wafv2_web_acl.this.rule : acl_rule.priority if length(one(acl_rule.statement).rate_based_statement) > 0]...) <
      min([for acl_rule in aws_wafv2_web_acl.this.rule : acl_rule.priority if length(one(acl_rule.statement).managed_rule_group_statement) > 0]...) &&
      toset([for acl_rule in aws_wafv2_web_acl.this.rule : one(one(acl_rule.statement).managed_rule_group_statement).name if length(one(acl_rule.statement).managed_rule_group_statement) > 0]) ==
      toset(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]) &&
      length(distinct([for acl_rule in aws_wafv2_web_acl.this.rule : acl_rule.priority])) == 6
    )
    error_message = "The rate rules come first, then the three managed rule groups, each with its own priority."
  }

  assert {
    condition = (
      toset([for field in aws_wafv2_web_acl_logging_configuration.this.redacted_fields : one(field.single_header).name]) == toset(["authorization", "cookie"]) &&
      aws_cloudwatch_log_group.this.name == "aws-waf-logs-pv-test-edge" &&
      length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation
    )
    error_message = "Request logs keep no bearer token or cookie and go to an aws-waf-logs- group, encrypted with the module's own us-east-1 key."
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 0
    error_message = "A CloudFront ACL is attached by the distribution (web_acl_id), not by an association."
  }
}

run "regional_acl_protects_the_user_pool" {
  command = plan

  module {
    source = "./modules/waf"
  }

  variables {
    name         = "pv-test-auth"
    scope        = "REGIONAL"
    rate_limits  = { "auth-per-ip" = { limit = 300 } }
    associations = { user_pool = "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_TEST" }
    kms_key_arn  = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
  }

  assert {
    condition = (
      aws_wafv2_web_acl_association.this["user_pool"].resource_arn == "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_TEST" &&
      aws_wafv2_web_acl_association.this["user_pool"].web_acl_arn == aws_wafv2_web_acl.this.arn &&
      aws_wafv2_web_acl.this.scope == "REGIONAL"
    )
    error_message = "The regional ACL is associated with the user pool, so sign-in and sign-up pass through it."
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "A regional ACL logs with the environment's key (same region): no second key is made."
  }
}

run "a_cloudfront_acl_brings_its_own_key" {
  command = plan

  module {
    source = "./modules/waf"
  }

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
  }

  expect_failures = [var.kms_key_arn]
}

run "associations_need_a_regional_acl" {
  command = plan

  module {
    source = "./modules/waf"
  }

  variables {
    associations = { user_pool = "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_TEST" }
  }

  expect_failures = [var.associations]
}
