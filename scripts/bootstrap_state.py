"""Create the Terraform state bucket (versioned, KMS-encrypted, private, TLS-only) and write terraform/backend.hcl.

Usage: python -m scripts.bootstrap_state [--region eu-west-1] [--bucket NAME]. Idempotent. Locking uses the S3
backend's native lockfile (`use_lockfile = true` in terraform/backend.tf), so no DynamoDB table is needed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
BACKEND_HCL = ROOT / "terraform" / "backend.hcl"


def default_bucket_name(account_id: str, region: str, project: str = "photovault") -> str:
    return f"{project}-tfstate-{account_id}-{region}"


def tls_only_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        print(f"state bucket {bucket} exists")
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in {"404", "NoSuchBucket", "NotFound"}:
            raise
        kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        print(f"created state bucket {bucket}")
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old-state-versions",
                    "Status": "Enabled",
                    "Filter": {},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )


def backend_config(bucket: str, region: str) -> str:
    return f'bucket = "{bucket}"\nregion = "{region}"\n'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--bucket", help="default: photovault-tfstate-<account>-<region>")
    parser.add_argument("--endpoint-url", help="S3 endpoint (the local emulator)")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    bucket = args.bucket
    if bucket is None:
        account = session.client("sts", endpoint_url=args.endpoint_url).get_caller_identity()["Account"]
        bucket = default_bucket_name(account, args.region)
    ensure_bucket(session.client("s3", endpoint_url=args.endpoint_url), bucket, args.region)
    BACKEND_HCL.write_text(backend_config(bucket, args.region))
    print(f"wrote {BACKEND_HCL.relative_to(ROOT)}: run `terraform -chdir=terraform init -backend-config=backend.hcl`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
