"""One builder per event kind the functions receive, each starting from a real event under ``tests/events/``:

- ``s3_notification``: the body S3 puts on the ingest queue for an ObjectCreated event (or its ``s3:TestEvent``);
- ``sqs_event``: the batch Lambda's SQS event source mapping hands the worker;
- ``http_event``: an API Gateway HTTP API (payload 2.0) request, authorised by the Cognito JWT or anonymous;
- ``stream_remove`` / ``stream_event``: a REMOVE on the table's stream and the batch the purge gets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EVENTS = Path(__file__).resolve().parents[1] / "events"


@cache
def sample(name: str) -> dict[str, Any]:
    """A real event from ``tests/events/<name>.json`` (a fresh copy each time: callers may change it)."""
    return json.loads((EVENTS / f"{name}.json").read_text())


def _sample(name: str) -> dict[str, Any]:
    return copy.deepcopy(sample(name))


# ---------------------------------------------------------------- S3 → SQS


def s3_notification(
    bucket: str,
    key: str,
    *,
    event_name: str = "ObjectCreated:Post",
    version_id: str | None = None,
    etag: str | None = "d41d8cd98f00b204e9800998ecf8427e",
    size: int = 1234,
    event_time: str = "2026-11-25T10:00:00.000Z",
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The notification body S3 sends for ``key`` (already URL-encoded, as S3 sends keys). ``version_id=None`` is an
    unversioned bucket; ``extra`` adds or replaces fields of ``s3.object``."""
    body = json.loads(_sample("sqs_s3_object_created")["Records"][0]["body"])
    record = body["Records"][0]
    record.update(eventName=event_name, eventTime=event_time)
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    obj = record["s3"]["object"]
    obj.update(key=key, size=size)
    for name, value in (("versionId", version_id), ("eTag", etag)):
        if value is None:
            obj.pop(name, None)
        else:
            obj[name] = value
    obj.update(extra or {})
    return json.dumps(body)


def s3_test_event(bucket: str) -> str:
    """What S3 sends once when a bucket's notification configuration is set."""
    body = json.loads(_sample("sqs_s3_test_event")["Records"][0]["body"])
    body["Bucket"] = bucket
    return json.dumps(body)


def sqs_event(
    messages: Sequence[Mapping[str, Any]], *, queue_arn: str = "arn:aws:sqs:eu-west-1:123456789012:q"
) -> dict[str, Any]:
    """The Lambda event for these messages: ReceiveMessage results (``MessageId``, ``Body`` …) or plain bodies
    (``{"Body": ...}``, ids made up)."""
    template = _sample("sqs_s3_object_created")["Records"][0]
    records = []
    for index, message in enumerate(messages):
        record = copy.deepcopy(template)
        attributes = message.get("Attributes", {})
        record.update(
            messageId=message.get("MessageId", f"00000000-0000-4000-8000-{index:012d}"),
            receiptHandle=message.get("ReceiptHandle", f"receipt-{index}"),
            body=message["Body"],
            md5OfBody=message.get("MD5OfBody", ""),
            eventSourceARN=queue_arn,
            awsRegion=queue_arn.split(":")[3],
        )
        for name in ("ApproximateReceiveCount", "SentTimestamp"):
            if name in attributes:
                record["attributes"][name] = str(attributes[name])
        records.append(record)
    return {"Records": records}


# ---------------------------------------------------------------- API Gateway HTTP API


def http_event(
    method: str,
    path: str,
    *,
    sub: str | None = None,
    query: Mapping[str, str] | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: Mapping[str, str] | None = None,
    prefix: str = "/api",
) -> dict[str, Any]:
    """An HTTP API v2 event as API Gateway sends it through CloudFront's ``/api/*`` behaviour.

    ``sub=None`` is an anonymous request: no authorizer block at all (API Gateway's shape for routes without auth).
    """
    event = _sample("http_api_v2_public" if sub is None else "http_api_v2_authorized")
    raw_path = f"{prefix}{path}"
    event["rawPath"] = raw_path
    event["requestContext"]["http"]["method"] = method.upper()
    event["requestContext"]["http"]["path"] = raw_path
    event["pathParameters"] = {"proxy": raw_path.removeprefix("/api/")}
    event["headers"] = {**event["headers"], **{k.lower(): v for k, v in (headers or {}).items()}}
    event["rawQueryString"] = urlencode(query) if query else ""
    if query:
        event["queryStringParameters"] = dict(query)
    else:
        event.pop("queryStringParameters", None)
    if body is not None or raw_body is not None:
        event["body"] = raw_body if raw_body is not None else json.dumps(body)
        event["headers"].setdefault("content-type", "application/json")
    if sub is not None:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        claims.update(sub=sub, username=sub)
    return event


# ---------------------------------------------------------------- DynamoDB stream → Lambda


def stream_remove(item: Mapping[str, Any], *, by_ttl: bool = False, sequence: int = 1) -> dict[str, Any]:
    """The record the table's stream carries when ``item`` (a plain item, as the codec writes it) is removed: by a
    request, or by DynamoDB's TTL process (``userIdentity`` Service / dynamodb.amazonaws.com)."""
    from photovault.adapters.dynamodb.codec import serialize

    record = _sample("dynamodb_stream_removes")["Records"][0]
    image = serialize(item)
    record["eventID"] = f"{sequence:032x}"
    record["dynamodb"].update(
        Keys={"pk": image["pk"], "sk": image["sk"]},
        OldImage=image,
        SequenceNumber=f"{4421584500000000000000000000 + sequence}",
        SizeBytes=len(json.dumps(image)),
    )
    if not by_ttl:
        del record["userIdentity"]
    return record


def stream_event(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The batch Lambda's DynamoDB-stream event source mapping hands the purge."""
    return {"Records": [dict(record) for record in records]}
