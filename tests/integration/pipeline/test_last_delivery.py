"""What the worker does when attempts fail, on moto through the real S3 → SQS notification: a photo is visibly
retrying between deliveries, ends FAILED with a reason on the last delivery before the DLQ (the record still fails,
so SQS parks it), and a redrive brings it to READY exactly once. An upload whose photo record is gone leaves no
object behind. An invocation never starts a photo it could not finish before its timeout."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest

from photovault import composition
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.ids import new_photo_id
from photovault.images import ImageLimits
from photovault.images.validation import ValidatedImage
from photovault.library.quota import QuotaLimits, charge, settle
from photovault.model import Photo, PhotoStatus, iso_epoch
from photovault.observability import MetricName
from photovault.pipeline.events import PENDING_CHECK
from photovault.pipeline.ingest import IngestConfig
from photovault.ports import Usage
from tests.support.aws import spec
from tests.support.fake_ai import solid_jpeg

RED = (220, 30, 30)
MAX_RECEIVES = spec()["ingest"]["max_receive_count"]


def delivered(message: dict[str, Any], receive_count: int) -> dict[str, Any]:
    """``message`` as SQS hands it over on its ``receive_count``-th receive."""
    return dict(message, Attributes={**message.get("Attributes", {}), "ApproximateReceiveCount": str(receive_count)})


def emitted(out: str, name: str) -> float:
    """The sum of metric ``name`` in the EMF documents Powertools printed."""
    total = 0.0
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            value = document.get(name, 0)
            total += sum(value) if isinstance(value, list) else value
    return total


def test_a_record_failing_on_its_last_receive_leaves_the_photo_failed_and_a_redrive_makes_it_ready_once(
    harness: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Rekognition is down (every call throttled) and an upload's event is delivered for the last time
    harness.rekognition.throttle_rate = 1.0
    owner, photo_id = harness.upload(solid_jpeg(RED))
    (message,) = harness.messages()
    capsys.readouterr()
    # When the earlier deliveries fail, the photo is PROCESSING and says it is retrying; nothing counted as FAILED
    assert harness.invoke([delivered(message, 1)])["batchItemFailures"]
    retry = DynamoPhotoRepository(harness.ddb, harness.stack.table).get(owner, photo_id).retry(time.time())
    assert retry is not None and (retry.attempts, retry.cause) == (1, "error")
    assert emitted(capsys.readouterr().out, MetricName.PHOTOS_FAILED) == 0
    response = harness.invoke([delivered(message, MAX_RECEIVES)])
    # Then the record still fails (SQS moves it to the DLQ: nothing is lost) …
    assert response == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    # … the photo is FAILED with a code and a sentence its owner understands, the error kept for operators …
    item = harness.photo(owner, photo_id)
    assert (item["status"], item["reason_code"]) == ("FAILED", "service_unavailable")
    assert "kept safe" in item["reason"] and item["last_error"]["code"] == "throttled"
    assert item["gsi1pk"] == "STATUS#FAILED" and "claim_token" not in item and "expires_at" not in item
    # … PhotosFailed counted once, and nothing half-written or announced
    assert emitted(capsys.readouterr().out, MetricName.PHOTOS_FAILED) == 1
    assert not harness.items(f"USER#{owner}#T#apple") and not harness.items(f"USER#{owner}#FACETS")
    assert not harness.notifications()

    # When Rekognition is back and an operator redrives the message (its receive count starts again)
    harness.rekognition.throttle_rate = 0.0
    assert harness.invoke([delivered(message, 1)]) == {"batchItemFailures": []}
    # Then the photo is READY, its failure cleared, indexed and counted once, announced once
    item = harness.photo(owner, photo_id)
    assert item["status"] == "READY" and item["gsi1pk"] == "STATUS#READY"
    assert not {"reason_code", "reason", "last_error"} & set(item)
    assert len(harness.items(f"USER#{owner}#T#apple")) == 1
    assert {f["label"]: int(f["count"]) for f in harness.items(f"USER#{owner}#FACETS")}["Apple"] == 1
    notes = [json.loads(m["Body"])["MessageAttributes"]["status"]["Value"] for m in harness.notifications()]
    assert notes == ["READY"]
    # And a second copy of the redriven message (SQS is at-least-once) changes nothing
    assert harness.invoke([delivered(message, 2)]) == {"batchItemFailures": []}
    assert harness.photo(owner, photo_id)["attempts"] == item["attempts"] and not harness.notifications()
    assert [i["sk"] for i in harness.items(f"USER#{owner}") if i["sk"].startswith("PHOTO#")] == [f"PHOTO#{photo_id}"]


def test_a_last_delivery_does_not_mark_a_photo_another_delivery_finished(harness: Any) -> None:
    owner, photo_id = harness.upload(solid_jpeg(RED))
    (message,) = harness.messages()
    assert harness.invoke([delivered(message, 1)]) == {"batchItemFailures": []}
    # A late duplicate of the same event on its last receive is a no-op, not a failure
    assert harness.invoke([delivered(message, MAX_RECEIVES)]) == {"batchItemFailures": []}
    assert harness.photo(owner, photo_id)["status"] == "READY"


def test_a_form_used_after_its_photo_was_deleted_leaves_no_object_version(harness: Any) -> None:
    # Given a photo requested (POST /uploads), then deleted by its owner before any file arrived
    owner, photo_id = "5d4c3b2a-0000-4000-8000-00000000000d", "0197a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
    harness.request_upload(owner, photo_id)
    harness.ddb.delete_item(
        TableName=harness.stack.table, Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}
    )
    # When the form is used anyway, twice (two versions in the versioned bucket)
    key = f"uploads/{owner}/{photo_id}"
    for color in (RED, (30, 200, 40)):
        harness.s3.put_object(Bucket=harness.stack.originals, Key=key, Body=solid_jpeg(color))
    # Then the worker processes nothing and deletes every version of the upload
    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}
    versions = harness.s3.list_object_versions(Bucket=harness.stack.originals, Prefix=key)
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
    assert harness.photo(owner, photo_id) is None and sum(harness.rekognition.calls.values()) == 0


# ---------------------------------------------------------------- no input reaches the function timeout

BUDGET_SECONDS = 1.0
AFTER_DECODE_SECONDS = 1.0
MARGIN_SECONDS = 1.0
TIMEOUT_SECONDS = 8.0


def never_returns(data: bytes, fmt: object, limits: ImageLimits) -> ValidatedImage:
    """A decoder stuck for good (an input nobody has found yet); it runs in the budgeted child."""
    time.sleep(3600)
    raise AssertionError("unreachable")


def test_a_batch_of_slow_photos_never_runs_into_the_function_timeout(
    harness: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a worker whose every decode hangs, a 1 s budget per photo, and an invocation of 8 s (a short timeout)
    from photovault.handlers import worker

    monkeypatch.setattr(worker, "SAFETY_MARGIN_SECONDS", MARGIN_SECONDS)
    limits = ImageLimits(max_bytes=20 * 1024 * 1024, decode_budget_seconds=BUDGET_SECONDS)
    config = IngestConfig(limits=limits, after_decode_seconds=AFTER_DECODE_SECONDS, decoder=never_returns)
    composition.override(ingest=dataclasses.replace(harness.use_case(), config=config))
    uploads = [harness.upload(solid_jpeg(RED, (64 + i, 64))) for i in range(10)]
    messages = harness.messages()
    assert len(messages) == 10

    # When one invocation gets the whole batch
    started = time.monotonic()
    response = harness.invoke(messages, timeout_seconds=TIMEOUT_SECONDS)
    elapsed = time.monotonic() - started

    # Then it ends before its timeout: the photos it started end REJECTED (over budget, never retried) …
    assert elapsed < TIMEOUT_SECONDS
    deferred = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    statuses = [harness.photo(*upload)["status"] for upload in uploads]
    rejected = [upload for upload, status in zip(uploads, statuses, strict=True) if status == "REJECTED"]
    assert rejected and all(harness.photo(*upload)["reason_code"] == "decode_timeout" for upload in rejected)
    # … and the rest are handed back to SQS untouched (no claim taken): a later invocation gets them
    assert deferred and len(deferred) + len(rejected) == 10
    assert statuses.count("PENDING") == len(deferred)
    assert all(
        "attempts" not in harness.photo(*upload) for upload in uploads if harness.photo(*upload)["status"] == "PENDING"
    )


# ---------------------------------------------------------------- the schedule's pending check


def test_the_pending_check_reports_how_long_an_upload_with_its_file_in_s3_has_been_stuck(
    harness: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an upload requested 20 minutes ago whose file is in S3 but whose event was lost (a broken notification),
    # and one requested 40 minutes ago whose file never arrived (abandoned: not stuck)
    harness.configure(originals_bucket=harness.stack.originals)
    now = time.time()
    stuck = harness.upload(solid_jpeg(RED), photo_id="0197a1b2-c3d4-7e5f-8a6b-000000000001", requested=False)
    harness.request_upload(*stuck, created_at=iso_epoch(now - 20 * 60))
    harness.request_upload(harness.owner, "0197a1b2-c3d4-7e5f-8a6b-000000000002", created_at=iso_epoch(now - 40 * 60))
    for message in harness.messages():  # the event never reaches the worker
        harness.sqs.delete_message(QueueUrl=harness.stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
    capsys.readouterr()
    # When the schedule's message arrives on the ingest queue
    check = {"Body": json.dumps(PENDING_CHECK), "MessageId": "pending-check"}
    assert harness.invoke([check]) == {"batchItemFailures": []}
    # Then the worker reports the stuck upload's age (the metric the oldest-pending-upload alarm reads)
    age = emitted(capsys.readouterr().out, MetricName.OLDEST_PENDING_AGE)
    assert 20 * 60 <= age < 21 * 60
    # And once the upload is processed (e.g. reprocessed by an operator), nothing is stuck any more
    harness.s3.put_object(Bucket=harness.stack.originals, Key=f"uploads/{stuck[0]}/{stuck[1]}", Body=solid_jpeg(RED))
    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}
    capsys.readouterr()
    assert harness.invoke([check]) == {"batchItemFailures": []}
    assert emitted(capsys.readouterr().out, MetricName.OLDEST_PENDING_AGE) == 0


def test_a_failed_upload_that_is_redriven_to_ready_counts_its_stored_bytes_once(harness: Any) -> None:
    """Issue 13: a FAILED upload gives its declared bytes back when the owner's next request settles it; if it is
    redriven afterwards and ends READY, its stored bytes must count again (once)."""
    repo = DynamoPhotoRepository(harness.ddb, harness.stack.table)
    owner, declared = "5d4c3b2a-0000-4000-8000-00000000000e", 5 * 1024 * 1024
    # Given an upload requested through the quota (POST /uploads: the PENDING item and the quota item in one write)
    photo_id = new_photo_id()
    assert repo.create_pending(_pending(owner, photo_id), Usage(open={photo_id: declared}, bytes=declared))
    # … whose every delivery fails, so it ends FAILED …
    harness.rekognition.throttle_rate = 1.0
    harness.upload(solid_jpeg(RED), owner=owner, photo_id=photo_id, requested=False)
    (message,) = harness.messages()
    assert harness.invoke([delivered(message, MAX_RECEIVES)])["batchItemFailures"]
    # … and the owner's next upload request settles it (its declared bytes given back)
    later = new_photo_id()
    usage = repo.usage(owner)
    settled = settle(usage, repo.open_uploads(owner, list(usage.open)), time.time())
    assert settled.bytes == 0 and not settled.open
    assert repo.create_pending(
        _pending(owner, later), charge(settled, QuotaLimits(), photo_id=later, size=10, now=time.time())
    )

    # When an operator redrives its message, twice (at least once), and it ends READY
    harness.rekognition.throttle_rate = 0.0
    assert harness.invoke([delivered(message, 1)]) == {"batchItemFailures": []}
    assert harness.invoke([delivered(message, 2)]) == {"batchItemFailures": []}
    stored = harness.photo(owner, photo_id)["facts"]["size_bytes"]
    assert harness.photo(owner, photo_id)["status"] == "READY" and stored > 0

    # Then the owner's stored bytes count it, once: the later upload's 10 declared bytes plus the photo's size
    assert repo.usage(owner).bytes == 10 + stored


def test_a_failed_upload_redriven_before_it_was_settled_is_counted_by_the_settling_alone(harness: Any) -> None:
    repo = DynamoPhotoRepository(harness.ddb, harness.stack.table)
    owner, declared = "5d4c3b2a-0000-4000-8000-00000000000f", 5 * 1024 * 1024
    photo_id = new_photo_id()
    assert repo.create_pending(_pending(owner, photo_id), Usage(open={photo_id: declared}, bytes=declared))
    harness.rekognition.throttle_rate = 1.0
    harness.upload(solid_jpeg(RED), owner=owner, photo_id=photo_id, requested=False)
    (message,) = harness.messages()
    assert harness.invoke([delivered(message, MAX_RECEIVES)])["batchItemFailures"]
    # When it is redriven to READY while its upload is still open on the quota item
    harness.rekognition.throttle_rate = 0.0
    assert harness.invoke([delivered(message, 1)]) == {"batchItemFailures": []}
    stored = harness.photo(owner, photo_id)["facts"]["size_bytes"]
    # Then the worker leaves the quota item alone, and the next settling counts the photo's real size
    assert repo.usage(owner).bytes == declared
    usage = repo.usage(owner)
    assert settle(usage, repo.open_uploads(owner, list(usage.open)), time.time()).bytes == stored


def _pending(owner: str, photo_id: str) -> Photo:
    at = "2026-11-25T10:00:00.000Z"
    return Photo(owner, photo_id, PhotoStatus.PENDING, at, at, filename="photo.jpg", content_type="image/jpeg")
