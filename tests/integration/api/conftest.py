"""Fixtures for the API on moto: the real table, buckets and the signing key in SSM, the handler wired to them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

from photovault import composition
from photovault.adapters import clients
from photovault.settings import get_settings
from tests.support.aws import create_table

TABLE = "photovault-test-photos"
ORIGINALS = "photovault-test-originals-123456789012"
DERIVATIVES = "photovault-test-derivatives-123456789012"
KEY_PARAMETER = "/photovault/test/cloudfront-signing-key"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"
MEDIA_BASE = "https://d111111abcdef8.cloudfront.net"
JOBS_QUEUE = "photovault-test-jobs"
JOBS_QUEUE_URL = f"https://sqs.eu-west-1.amazonaws.com/123456789012/{JOBS_QUEUE}"  # moto's URL for that name
EVENTS_TOPIC = "photovault-test-photo-events"
EVENTS_TOPIC_ARN = f"arn:aws:sns:eu-west-1:123456789012:{EVENTS_TOPIC}"  # moto's ARN for that name


@dataclass(frozen=True)
class SigningKey:
    private_pem: str
    public_pem: str


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return SigningKey(private_pem, public_pem)


@dataclass
class Stack:
    dynamodb: Any
    s3: Any
    table: str
    originals: str
    derivatives: str
    public_keys: dict[str, str]


ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_NAMESPACE": "PhotoVault",
    "ENVIRONMENT": "test",
    "TABLE_NAME": TABLE,
    "ORIGINALS_BUCKET": ORIGINALS,
    "DERIVATIVES_BUCKET": DERIVATIVES,
    "MEDIA_BASE_URL": MEDIA_BASE,
    "CLOUDFRONT_KEY_PAIR_ID": KEY_PAIR_ID,
    "SIGNING_KEY_PARAMETER": KEY_PARAMETER,
    "MIN_LABEL_CONFIDENCE": "70",
    "JOBS_QUEUE_URL": JOBS_QUEUE_URL,
    "EVENTS_TOPIC_ARN": EVENTS_TOPIC_ARN,
}


@pytest.fixture(scope="module")
def aws_clients() -> Iterator[dict[str, Any]]:
    """Environment and boto3 clients, once per module: creating clients is the slow part, and moto mocks clients
    created before a ``mock_aws`` block too, with fresh state in every block."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        clients.reset()
        get_settings.cache_clear()
        created = {name: clients.client(name) for name in ("dynamodb", "s3", "ssm", "sqs", "sns")}
        yield created
        composition.reset()
        clients.reset()
        get_settings.cache_clear()


@pytest.fixture
def stack(aws_clients: dict[str, Any], signing_key: SigningKey) -> Iterator[Stack]:
    dynamodb, s3 = aws_clients["dynamodb"], aws_clients["s3"]
    with mock_aws():
        composition.reset()
        create_table(dynamodb, TABLE)
        for bucket in (ORIGINALS, DERIVATIVES):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_versioning(Bucket=ORIGINALS, VersioningConfiguration={"Status": "Enabled"})
        aws_clients["ssm"].put_parameter(Name=KEY_PARAMETER, Value=signing_key.private_pem, Type="SecureString")
        assert aws_clients["sqs"].create_queue(QueueName=JOBS_QUEUE)["QueueUrl"] == JOBS_QUEUE_URL
        assert aws_clients["sns"].create_topic(Name=EVENTS_TOPIC)["TopicArn"] == EVENTS_TOPIC_ARN
        yield Stack(dynamodb, s3, TABLE, ORIGINALS, DERIVATIVES, {KEY_PAIR_ID: signing_key.public_pem})
        composition.reset()
