# The CloudFront signing key moved from the compute module to the cdn module, next to the key group that trusts
# it. These moves keep the key pair, its SSM parameter and so every signed URL in circulation: without them the
# plan would destroy the key and mint a new one (tests/moves.tftest.hcl proves the moves hold).

moved {
  from = module.compute.tls_private_key.signing
  to   = module.cdn.tls_private_key.signing
}

moved {
  from = module.compute.aws_ssm_parameter.signing_key
  to   = module.cdn.aws_ssm_parameter.signing_key
}

# The edge WAF moved from the cdn module to the waf module, which also protects the Cognito user pool. These moves
# keep the web ACL (the distribution stays protected throughout), its log group with its logs, and its key
# (tests/staging/waf_moves.tftest.hcl proves they hold).

moved {
  from = module.cdn.aws_wafv2_web_acl.this[0]
  to   = module.edge_waf[0].aws_wafv2_web_acl.this
}

moved {
  from = module.cdn.aws_wafv2_web_acl_logging_configuration.this[0]
  to   = module.edge_waf[0].aws_wafv2_web_acl_logging_configuration.this
}

moved {
  from = module.cdn.aws_cloudwatch_log_group.waf[0]
  to   = module.edge_waf[0].aws_cloudwatch_log_group.this
}

moved {
  from = module.cdn.aws_kms_key.edge[0]
  to   = module.edge_waf[0].aws_kms_key.this[0]
}
