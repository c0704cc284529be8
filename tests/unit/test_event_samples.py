"""The real events under tests/events/ are the one truth for event shapes: the test builders start from them, and
what the local stack and the operator scripts build to stand in for AWS has the same fields."""

from __future__ import annotations

import json
from typing import Any

from scripts.local_stack.http_api import build_http_api_event
from scripts.local_stack.poller import sqs_record
from scripts.reprocess import s3_event_body
from tests.support.events import http_event, s3_notification, sample, sqs_event


def keys_of(value: dict[str, Any], *nested: str) -> dict[str, set[str]]:
    """The keys of ``value`` and of each of its ``nested`` objects (dotted paths)."""
    found = {"": set(value)}
    for path in nested:
        inner: Any = value
        for part in path.split("."):
            inner = inner[part]
        found[path] = set(inner)
    return found


def test_the_local_gateway_sends_what_api_gateway_sends() -> None:
    real = sample("http_api_v2_authorized")
    local = build_http_api_event(
        method="GET",
        raw_path="/api/photos",
        raw_query="limit=2",
        headers=[("host", "127.0.0.1:8080"), ("authorization", "Bearer t"), ("user-agent", "Mozilla/5.0")],
        body=b"",
        source_ip="203.0.113.7",
        route_key="GET /api/photos",
        path_parameters={"proxy": "photos"},
        claims={"sub": "11111111-2222-4333-8444-555555555555", "scope": "openid email", "exp": 1710003600},
    )
    nested = ("requestContext", "requestContext.http", "requestContext.authorizer", "requestContext.authorizer.jwt")
    expected = keys_of(real, *nested)
    expected[""].discard("cookies")  # API Gateway sends cookies only when the request has some
    assert keys_of(local, *nested) == expected
    assert local["requestContext"]["authorizer"]["jwt"]["claims"]["exp"] == "1710003600"  # claims arrive as strings


def test_the_local_event_source_mapping_sends_what_lambda_sends() -> None:
    (real,) = sample("sqs_s3_object_created")["Records"]
    message = {
        "MessageId": real["messageId"],
        "ReceiptHandle": real["receiptHandle"],
        "Body": real["body"],
        "MD5OfBody": real["md5OfBody"],
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795600801200", "SenderId": "AIDAX"},
    }
    local = sqs_record(message, queue_arn=real["eventSourceARN"], region=real["awsRegion"])
    assert set(local) == set(real)
    assert set(local["attributes"]) <= set(real["attributes"])
    assert {k: local[k] for k in ("messageId", "body", "eventSource")} == {
        k: real[k] for k in ("messageId", "body", "eventSource")
    }


def test_a_reprocess_message_is_shaped_like_s3s_notification() -> None:
    (real,) = json.loads(sample("sqs_s3_object_created")["Records"][0]["body"])["Records"]
    body = json.loads(
        s3_event_body(
            bucket="b",
            key="uploads/u/p",
            version_id="v1",
            etag="e",
            size=3,
            event_time="2026-11-25T10:00:00Z",
            run_id="r" * 32,
        )
    )
    (record,) = body["Records"]
    assert set(record) <= set(real) and set(record["s3"]) <= set(real["s3"])
    assert set(record["s3"]["object"]) <= set(real["s3"]["object"])


def test_the_test_builders_keep_the_samples_fields() -> None:
    real = json.loads(sample("sqs_s3_object_created")["Records"][0]["body"])
    built = json.loads(s3_notification("b", "uploads/u/p", version_id="v1"))
    assert keys_of(built["Records"][0], "s3", "s3.object") == keys_of(real["Records"][0], "s3", "s3.object")
    (record,) = sqs_event([{"Body": "{}"}])["Records"]
    assert set(record) == set(sample("sqs_s3_object_created")["Records"][0])
    assert set(http_event("GET", "/health")) == set(sample("http_api_v2_public"))
    assert "authorizer" not in http_event("GET", "/health")["requestContext"]
    assert http_event("GET", "/photos", sub="me")["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "me"


def test_the_local_stream_mapping_sends_what_lambda_sends() -> None:
    from datetime import UTC, datetime

    from scripts.local_stack.streams import ServiceRemovals, lambda_record

    real, _ = sample("dynamodb_stream_removes")["Records"]
    keys = real["dynamodb"]["Keys"]
    # What GetRecords answers (boto3 parses the creation time; the record carries no ARN and no identity)
    read = {
        "eventID": real["eventID"],
        "eventName": "REMOVE",
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {**real["dynamodb"], "ApproximateCreationDateTime": datetime(2026, 4, 1, 9, 36, 1, tzinfo=UTC)},
    }
    removals = ServiceRemovals()
    removals.mark(keys["pk"]["S"], keys["sk"]["S"])  # the TTL sweeper deleted it

    local = lambda_record(read, stream_arn=real["eventSourceARN"], region=real["awsRegion"], removals=removals)

    assert keys_of(local, "dynamodb") == keys_of(real, "dynamodb")
    assert local["userIdentity"] == real["userIdentity"]
    assert local["dynamodb"]["ApproximateCreationDateTime"] == 1775036161
    assert (local["eventVersion"], local["awsRegion"]) == (real["eventVersion"], real["awsRegion"])
    again = lambda_record(read, stream_arn=real["eventSourceARN"], region=real["awsRegion"], removals=removals)
    assert "userIdentity" not in again  # one mark, one removal
