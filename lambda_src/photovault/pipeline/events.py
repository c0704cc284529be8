"""Parse S3 event notifications as they arrive in an SQS message body (real S3 and the emulator's shapes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from photovault.keys import parse_originals_key
from photovault.model import SourceObject

# What the schedule (EventBridge Scheduler in AWS, the local stack's ticker) puts on the ingest queue every few
# minutes: "look for uploads stuck PENDING" (terraform/modules/compute/schedule.tf sends exactly this body).
PENDING_CHECK: dict[str, str] = {"PhotoVault": "pending-check"}


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """What one SQS message announces: the uploads to process, records to ignore (and why), or the pending check."""

    sources: tuple[SourceObject, ...]
    event_times: tuple[float | None, ...]  # epoch seconds of each object's creation, when S3 said it
    ignored: tuple[str, ...]  # human-readable reasons for records that are not uploads (logged by the handler)
    pending_check: bool = False  # the schedule's "look for uploads stuck PENDING"


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    except ValueError:
        return None


def parse_body(body: str) -> ParsedBody:
    """The uploads an SQS message announces (or the schedule's pending check). ``s3:TestEvent`` and non-upload keys
    are ignored, never errors.

    Raises ``ValueError`` for a body that is not an S3 notification at all (the record then fails and, after
    the queue's retries, lands in the DLQ where an operator can see it)."""
    try:
        message = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"message body is not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ValueError("message body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return ParsedBody((), (), ("s3:TestEvent",))
    if message == PENDING_CHECK:
        return ParsedBody((), (), (), pending_check=True)
    records = message.get("Records")
    if not isinstance(records, list):
        raise ValueError("message body has no S3 Records")

    sources: list[SourceObject] = []
    times: list[float | None] = []
    ignored: list[str] = []
    for record in records:
        name = str(record.get("eventName", ""))
        if not name.startswith("ObjectCreated"):
            ignored.append(f"event {name or '?'} is not an upload")
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        obj = s3.get("object") or {}
        raw_key = obj.get("key")
        if not bucket or not raw_key:
            ignored.append("record without bucket or key")
            continue
        key = unquote_plus(str(raw_key))  # S3 URL-encodes keys in events, spaces as '+'
        parsed = parse_originals_key(key)
        if parsed is None:
            ignored.append(f"key {key!r} is not under uploads/<user>/<photo_id>")
            continue
        owner, photo_id = parsed
        size = obj.get("size")
        sources.append(
            SourceObject(
                bucket=str(bucket),
                key=key,
                owner=owner,
                photo_id=photo_id,
                version_id=obj.get("versionId") or None,
                etag=(str(obj["eTag"]).strip('"') if obj.get("eTag") else None),
                size=int(size) if isinstance(size, int | float) else None,
            )
        )
        times.append(_epoch(record.get("eventTime")))
    return ParsedBody(tuple(sources), tuple(times), tuple(ignored))
