"""The one factory for boto3 clients: lazy, cached per process, pointed at the emulator when AWS_ENDPOINT_URL is set.

S3 Vectors needs botocore ≥ 1.42.1 (its GA model); Lambda's runtime may carry an older botocore. Bundling botocore
would cost ~17 MB zipped (measured) against the worker's 10 MB budget, so the package ships only that service's model
(``botocore_data/``, 12 KB, copied from botocore 1.44.8) on the loader's search path, after botocore's own data:
a runtime that knows S3 Vectors uses its own model, one that does not uses ours.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3vectors import S3VectorsClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

Service = Literal[
    "dynamodb", "s3", "ssm", "sns", "sqs", "rekognition", "bedrock-runtime", "s3vectors", "location", "cognito-idp"
]
_lock = threading.Lock()
BUNDLED_MODELS = Path(__file__).parent / "botocore_data"


@cache
def _session() -> Any:
    import boto3

    session = boto3.session.Session()
    add_bundled_models(session._session)
    return session


def add_bundled_models(botocore_session: Any) -> None:
    """Let ``botocore_session`` load the service models this package ships when its botocore lacks them."""
    loader = botocore_session.get_component("data_loader")
    if str(BUNDLED_MODELS) not in loader.search_paths:
        loader.search_paths.append(str(BUNDLED_MODELS))


@overload
def client(service: Literal["dynamodb"], *, max_attempts: int = ..., read_timeout: float = ...) -> DynamoDBClient: ...
@overload
def client(service: Literal["s3"], *, max_attempts: int = ..., read_timeout: float = ...) -> S3Client: ...
@overload
def client(service: Literal["ssm"], *, max_attempts: int = ..., read_timeout: float = ...) -> SSMClient: ...
@overload
def client(service: Literal["sns"], *, max_attempts: int = ..., read_timeout: float = ...) -> SNSClient: ...
@overload
def client(service: Literal["sqs"], *, max_attempts: int = ..., read_timeout: float = ...) -> SQSClient: ...
@overload
def client(
    service: Literal["rekognition"], *, max_attempts: int = ..., read_timeout: float = ...
) -> RekognitionClient: ...
@overload
def client(
    service: Literal["bedrock-runtime"], *, max_attempts: int = ..., read_timeout: float = ...
) -> BedrockRuntimeClient: ...
@overload
def client(service: Literal["s3vectors"], *, max_attempts: int = ..., read_timeout: float = ...) -> S3VectorsClient: ...
@overload
def client(service: Literal["location"], *, max_attempts: int = ..., read_timeout: float = ...) -> Any: ...
@overload
def client(
    service: Literal["cognito-idp"], *, max_attempts: int = ..., read_timeout: float = ...
) -> CognitoIdentityProviderClient: ...
def client(service: Service, *, max_attempts: int = 3, read_timeout: float = 20.0) -> Any:
    """A cached client for ``service`` (typed per service). boto3 itself honours AWS_ENDPOINT_URL(_<SERVICE>) for
    the local stack."""
    return _client(service, max_attempts, read_timeout, os.environ.get("AWS_ENDPOINT_URL", ""))


@cache
def _client(service: str, max_attempts: int, read_timeout: float, _endpoint: str) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=read_timeout,
        max_pool_connections=20,
        tcp_keepalive=True,
        # botocore presigns S3 with SigV2 unless told otherwise, and buckets created since 2020 refuse SigV2.
        signature_version="s3v4" if service == "s3" else None,
    )
    with _lock:  # Session.client is not thread-safe
        return _session().client(service, config=config)


def reset() -> None:
    """Forget cached clients (tests that switch endpoints or credentials)."""
    _client.cache_clear()
    _session.cache_clear()
