"""Parsing S3 notifications from SQS bodies: real S3 shapes, the emulator's (no sequencer/userIdentity), test events."""

from __future__ import annotations

import json

import pytest

from photovault.pipeline.events import parse_body
from tests.support.events import s3_notification, s3_test_event, sample


def s3_body(key: str, *, event: str = "ObjectCreated:Post", extra: dict | None = None) -> str:
    """An unversioned bucket's notification (the emulator's shape has no sequencer either)."""
    return s3_notification("originals", key, event_name=event, version_id=None, etag="0123abcd", extra=extra)


def test_the_real_object_created_sample_names_the_owner_photo_and_exact_version():
    # Given S3's notification as SQS delivered it to Lambda
    (record,) = sample("sqs_s3_object_created")["Records"]
    # When the worker parses its body
    parsed = parse_body(record["body"])
    # Then it is one upload of one owner's photo, pinned to the object version S3 announced
    (source,) = parsed.sources
    assert (source.owner, source.photo_id) == (
        "11111111-2222-4333-8444-555555555555",
        "01937a2e-7c4b-7d2a-9f10-3a5b6c7d8e9f",
    )
    assert source.version_id == "096fKKXTRTtl3on89fVO.nfljtsv6qko" and source.size == 2400000
    assert source.fingerprint.endswith("#096fKKXTRTtl3on89fVO.nfljtsv6qko")
    assert parsed.ignored == ()


def test_the_real_test_event_sample_is_ignored():
    (record,) = sample("sqs_s3_test_event")["Records"]
    parsed = parse_body(record["body"])
    assert parsed.sources == () and parsed.ignored == ("s3:TestEvent",)


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
    parsed = parse_body(s3_test_event("originals"))
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
