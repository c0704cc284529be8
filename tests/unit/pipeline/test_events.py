"""Parsing S3 notifications from SQS bodies: real S3 shapes, the emulator's (no sequencer/userIdentity), test events."""

from __future__ import annotations

import json

import pytest

from photovault.pipeline.events import parse_body


def s3_body(key: str, *, event: str = "ObjectCreated:Post", extra: dict | None = None) -> str:
    obj = {"key": key, "size": 1234, "eTag": "0123abcd"} | (extra or {})
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventTime": "2026-11-25T10:00:00.000Z",
                    "eventName": event,
                    "s3": {"bucket": {"name": "originals"}, "object": obj},
                }
            ]
        }
    )


def test_key_is_url_decoded_with_plus_as_space():
    parsed = parse_body(s3_body("uploads/user+one/caf%C3%A9+%2B1"))
    (source,) = parsed.sources
    assert source.owner == "user one"
    assert source.photo_id == "café +1"


def test_version_and_sequencer_are_optional_and_fingerprint_uses_the_best_revision():
    without = parse_body(s3_body("uploads/u/p")).sources[0]
    with_version = parse_body(s3_body("uploads/u/p", extra={"versionId": "v7", "sequencer": "00A"})).sources[0]
    assert without.fingerprint == "s3://originals/uploads/u/p#0123abcd"
    assert with_version.fingerprint == "s3://originals/uploads/u/p#v7"


def test_event_time_is_read_for_latency():
    parsed = parse_body(s3_body("uploads/u/p"))
    assert parsed.event_times == (pytest.approx(1795600800.0),)


def test_s3_test_event_is_ignored():
    parsed = parse_body(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "originals"}))
    assert parsed.sources == () and parsed.ignored == ("s3:TestEvent",)


@pytest.mark.parametrize("key", ["media/u/p/thumb.webp", "uploads/u", "uploads//p", "uploads/u/p/extra"])
def test_keys_outside_the_upload_layout_are_ignored_not_failed(key):
    parsed = parse_body(s3_body(key))
    assert parsed.sources == () and len(parsed.ignored) == 1


def test_removal_events_are_ignored():
    assert parse_body(s3_body("uploads/u/p", event="ObjectRemoved:Delete")).sources == ()


@pytest.mark.parametrize("body", ["", "not json", "[]", json.dumps({"hello": 1})])
def test_bodies_that_are_not_s3_notifications_raise(body):
    with pytest.raises(ValueError):
        parse_body(body)
