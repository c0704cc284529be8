# The signing key moved from the compute module to the cdn module (moved.tf). Apply the old layout with mock
# providers, then plan the real root on that state: the key pair must be the one already there (known, equal),
# not a new one (unknown until apply), or every signed URL in circulation would break.

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"
}

mock_provider "tls" {}

run "before_moves" {
  state_key = "moves"

  module {
    source = "./tests/fixtures/before_moves"
  }
}

run "after_moves" {
  command   = plan
  state_key = "moves"

  assert {
    condition     = output.signing_public_key_pem == run.before_moves.signing_public_key_pem
    error_message = "The moved signing key must be kept: the plan would replace the key pair that signs /media/* URLs."
  }
}
