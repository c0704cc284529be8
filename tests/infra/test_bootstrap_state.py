"""scripts/bootstrap_state.py against moto: the state bucket is private, versioned, encrypted and TLS-only."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from scripts import bootstrap_state


@mock_aws
def test_state_bucket_is_private_versioned_encrypted_and_idempotent() -> None:
    s3 = boto3.client("s3", region_name="eu-west-1")

    for _ in range(2):  # a second run must not fail
        bootstrap_state.ensure_bucket(s3, "pv-state", "eu-west-1")

    block = s3.get_public_access_block(Bucket="pv-state")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert s3.get_bucket_versioning(Bucket="pv-state")["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket="pv-state")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    policy = json.loads(s3.get_bucket_policy(Bucket="pv-state")["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_backend_config_names_bucket_and_region() -> None:
    assert bootstrap_state.backend_config("b", "eu-west-1") == 'bucket = "b"\nregion = "eu-west-1"\n'
