"""The forwarder Lambda between the intake queue and the fair ingest queue: request shapes checked by botocore's
Stubber against the SQS service model, then end to end on moto (groups as SQS hands them back to the worker)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from photovault import composition
from photovault.adapters import clients
from photovault.adapters.sqs import SqsWorkQueue
from photovault.handlers import forwarder
from photovault.pipeline.forward import SYSTEM_GROUP
from tests.support.events import s3_notification, s3_test_event, sqs_event
from tests.support.lambda_context import lambda_context

REGION = "eu-west-1"
BUCKET = "photovault-test-originals"
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/photovault-test-ingest"


def _body(owner: str, n: int) -> str:
    return s3_notification(BUCKET, f"uploads/{owner}/photo-{n}")


def _invoke(bodies: list[str]) -> tuple[dict[str, Any], list[str]]:
    event = sqs_event([{"Body": body} for body in bodies])
    response = forwarder.handler(event, lambda_context("photovault-test-forwarder"))
    return response, [record["messageId"] for record in event["Records"]]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    clients.reset()
    yield
    composition.reset()
    clients.reset()


def test_one_send_message_batch_per_batch_each_entry_in_its_owners_group() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    bodies = [_body("alice", 0), _body("bob", 0), s3_test_event(BUCKET)]
    with Stubber(sqs) as stub:
        stub.add_response(
            "send_message_batch",
            {
                "Successful": [{"Id": str(i), "MessageId": f"m{i}", "MD5OfMessageBody": "x"} for i in range(3)],
                "Failed": [],
            },
            expected_params={
                "QueueUrl": QUEUE_URL,
                "Entries": [
                    {"Id": "0", "MessageBody": bodies[0], "MessageGroupId": "alice"},
                    {"Id": "1", "MessageBody": bodies[1], "MessageGroupId": "bob"},
                    {"Id": "2", "MessageBody": bodies[2], "MessageGroupId": SYSTEM_GROUP},
                ],
            },
        )
        composition.override(work_queue=SqsWorkQueue(sqs, QUEUE_URL))
        response, _ = _invoke(bodies)
        stub.assert_no_pending_responses()
    assert response == {"batchItemFailures": []}


def test_entries_sqs_refused_come_back_as_batch_item_failures_and_only_those() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    with Stubber(sqs) as stub:
        stub.add_response(
            "send_message_batch",
            {
                "Successful": [{"Id": "0", "MessageId": "m0", "MD5OfMessageBody": "x"}],
                "Failed": [{"Id": "1", "SenderFault": False, "Code": "InternalError"}],
            },
        )
        composition.override(work_queue=SqsWorkQueue(sqs, QUEUE_URL))
        response, ids = _invoke([_body("alice", 0), _body("bob", 0)])
    assert response == {"batchItemFailures": [{"itemIdentifier": ids[1]}]}


def test_a_failed_request_fails_the_whole_batch_for_sqs_to_deliver_again() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    with Stubber(sqs) as stub:
        stub.add_client_error("send_message_batch", service_error_code="KMS.ThrottlingException", http_status_code=400)
        composition.override(work_queue=SqsWorkQueue(sqs, QUEUE_URL))
        response, ids = _invoke([_body("alice", 0), _body("alice", 1)])
    assert response == {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def test_on_moto_the_worker_receives_every_notification_once_with_its_owner_as_message_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="photovault-test-ingest")["QueueUrl"]
        # The forwarder finds the ingest queue where Terraform and the local stack put it: INGEST_QUEUE_URL.
        for name, value in {"TABLE_NAME": "t", "ORIGINALS_BUCKET": BUCKET, "DERIVATIVES_BUCKET": "d"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("INGEST_QUEUE_URL", queue_url)
        from photovault.settings import get_settings

        get_settings.cache_clear()
        bodies = [_body("alice", n) for n in range(9)] + [_body("bob", 0)]
        response, _ = _invoke(bodies)
        received: list[tuple[str, str]] = []
        while batch := sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
        ).get("Messages", []):
            received += [(m["Body"], m["Attributes"]["MessageGroupId"]) for m in batch]
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )
        get_settings.cache_clear()
    assert response == {"batchItemFailures": []}
    assert sorted(received) == sorted([(b, "alice") for b in bodies[:9]] + [(bodies[9], "bob")])
