# The edge WAF moved from the cdn module to the waf module (moved.tf). Apply the old layout with mock providers,
# then plan the real root on that state: the web ACL, its log group and its key must be the ones already there
# (known, equal), not new ones (unknown until apply), or the distribution would lose its WAF during the apply and
# the request logs would be deleted with their log group.

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

run "waf_before_moves" {
  state_key = "waf"

  module {
    source = "./tests/fixtures/waf_before_moves"
  }
}

run "waf_after_moves" {
  command   = plan
  state_key = "waf"

  assert {
    condition = (
      module.edge_waf[0].web_acl_arn == run.waf_before_moves.web_acl_arn &&
      module.edge_waf[0].log_group_arn == run.waf_before_moves.log_group_arn &&
      module.edge_waf[0].kms_key_arn == run.waf_before_moves.kms_key_arn
    )
    error_message = "The moved web ACL, its log group and its key must be kept, not replaced."
  }
}
