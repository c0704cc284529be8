"""The one translation of AWS failures: throttling and service faults become the domain's retryable errors, whatever
the service; anything else (a refusal, a bug) is left as it is."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from photovault.adapters.aws import aws_errors, translated
from photovault.errors import Throttled, TransientDependencyError


def client_error(code: str, **extra: object) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, **extra}, "Op")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "SlowDown"]
)
def test_throttling_of_any_service_is_throttled(code: str) -> None:
    assert isinstance(translated(client_error(code), "X"), Throttled)


def test_a_transaction_cancelled_for_throttling_is_throttled_and_one_cancelled_by_a_condition_is_not() -> None:
    throttled = client_error("TransactionCanceledException", CancellationReasons=[{"Code": "ThrottlingError"}])
    conditional = client_error("TransactionCanceledException", CancellationReasons=[{"Code": "ConditionalCheckFailed"}])
    assert isinstance(translated(throttled, "DynamoDB"), Throttled)
    assert translated(conditional, "DynamoDB") is None


def test_a_decorated_adapter_method_raises_the_domain_error_and_leaves_refusals_alone() -> None:
    @aws_errors("S3")
    def call(error: Exception) -> None:
        raise error

    with pytest.raises(TransientDependencyError) as unavailable:
        call(client_error("ServiceUnavailable"))
    assert not isinstance(unavailable.value, Throttled) and unavailable.value.retry_after == 1
    with pytest.raises(TransientDependencyError):
        call(EndpointConnectionError(endpoint_url="https://s3"))
    with pytest.raises(ClientError):
        call(client_error("AccessDenied"))
