"""The one translation of AWS failures into domain errors: throttling becomes ``Throttled``, a service fault or an
unreachable endpoint ``TransientDependencyError``. Every adapter goes through it, so the pipeline retries and the
API answers 429/503 from the domain error alone — no layer keeps its own list of AWS error codes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

from photovault.errors import PhotoVaultError, Throttled, TransientDependencyError

P = ParamSpec("P")
T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "TooManyRequestsException",
        "TooManyRequests",
        "SlowDown",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "InternalServerError",
        "InternalError",
        "ServiceUnavailableException",  # also S3 Vectors' answer when an index is over its write capacity
        "ServiceUnavailable",
        "RequestTimeoutException",  # S3 Vectors
        "ModelTimeoutException",  # Bedrock InvokeModel
        "ModelNotReadyException",
    }
)
# Inside a transaction DynamoDB reports throttling per item, as a cancellation reason.
_THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def cancellation_codes(exc: ClientError) -> list[str]:
    """The per-item codes of a cancelled DynamoDB transaction, in the order of its items."""
    response: Mapping[str, Any] = exc.response
    return [str(reason.get("Code", "")) for reason in response.get("CancellationReasons") or []]


def translated(exc: ClientError, service: str) -> PhotoVaultError | None:
    """The domain error for a retryable AWS failure; None when the failure is not retryable (a bug or a refusal)."""
    code = error_code(exc)
    reasons = set(cancellation_codes(exc))
    if code in THROTTLING_CODES or (code == "TransactionCanceledException" and reasons & _THROTTLED_REASONS):
        return Throttled(f"{service} throttled the request ({code})")
    if code in TRANSIENT_CODES:
        return TransientDependencyError(f"{service} is unavailable ({code})")
    return None


def call_aws(fn: Callable[[], T], service: str) -> T:
    """Run one AWS call, turning throttling and transient faults into the domain's retryable errors."""
    try:
        return fn()
    except ClientError as exc:
        error = translated(exc, service)
        if error is None:
            raise
        raise error from exc
    except (ConnectionError, ReadTimeoutError) as exc:
        raise TransientDependencyError(f"{service} could not be reached: {exc}") from exc


def aws_errors(service: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate an adapter method: whatever AWS failure escapes it leaves as the domain's error."""

    def decorate(method: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            return call_aws(lambda: method(*args, **kwargs), service)

        return wrapper

    return decorate
