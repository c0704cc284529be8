"""An upload's life as its owner sees it through the API, with the real worker on moto: an AVIF photo ends READY, a
photo between attempts says it is retrying, one the pipeline gave up on is FAILED with a reason (and a redrive makes
it READY), an upload whose file never arrives disappears once it expires, and a form used after its photo was
deleted leaves no object in S3."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image

from photovault import composition, keys
from photovault.adapters.dynamodb.codec import deserialize, photo_from_item, serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.adapters.rekognition import RekognitionAnalyzer
from photovault.adapters.s3 import S3MediaStore, S3OriginalStore, S3VersionDeleter
from photovault.handlers import worker
from photovault.images import ImageLimits
from photovault.images.formats import ACCEPTED_LABELS, ACCEPTED_MIME_TYPES
from photovault.pipeline.analysis import RetryPolicy
from photovault.pipeline.ingest import IngestConfig, IngestPhoto
from tests.integration.api.apitools import ApiResponse, call
from tests.integration.api.conftest import Stack
from tests.support.aws import spec
from tests.support.events import s3_notification, sqs_event
from tests.support.fake_ai import FakeRekognitionClient
from tests.support.fakes import FakeNotifier
from tests.support.lambda_context import lambda_context

OWNER = "lifecycle-0001"
MAX_RECEIVES = spec()["ingest"]["max_receive_count"]


@dataclass
class Pipeline:
    """The worker behind the API's stack: the real adapters, Rekognition faked in its own response shapes."""

    stack: Stack
    rekognition: FakeRekognitionClient = field(default_factory=FakeRekognitionClient)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    sleeps: list[float] = field(default_factory=list)

    def use_case(self) -> IngestPhoto:
        s3, dynamodb = self.stack.s3, self.stack.dynamodb
        return IngestPhoto(
            originals=S3OriginalStore(s3),
            media=S3MediaStore(s3, self.stack.derivatives),
            repository=DynamoPhotoRepository(dynamodb, self.stack.table),
            analyzer=RekognitionAnalyzer(self.rekognition),
            captioner=None,
            notifier=self.notifier,
            uploads=S3VersionDeleter(s3, self.stack.originals),
            config=IngestConfig(limits=ImageLimits(), max_deliveries=MAX_RECEIVES),
            # Backoff without waiting: the retry clock jumps ahead instead.
            retry=RetryPolicy(sleep=self.sleeps.append, clock=lambda: time.monotonic() + sum(self.sleeps)),
        )

    def deliver(self, key: str, *, receive_count: int = 1) -> dict[str, Any]:
        """S3's notification of the object's latest version, as the ingest queue hands it to the worker."""
        head = self.stack.s3.head_object(Bucket=self.stack.originals, Key=key)
        body = s3_notification(
            self.stack.originals,
            key,
            version_id=head.get("VersionId"),
            etag=head["ETag"].strip('"'),
            size=head["ContentLength"],
        )
        event = sqs_event([{"Body": body, "Attributes": {"ApproximateReceiveCount": receive_count}}])
        timeout = spec()["functions"]["worker"]["timeout"]
        return dict(worker.handler(event, lambda_context("photovault-test-worker", timeout_seconds=timeout)))


@pytest.fixture
def pipeline(stack: Stack) -> Iterator[Pipeline]:
    built = Pipeline(stack)
    composition.override(ingest=built.use_case())
    yield built
    composition.reset()


def encode(fmt: str, color: tuple[int, int, int] = (220, 30, 30), size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, quality=80)
    return buffer.getvalue()


def start_upload(content_type: str = "image/jpeg", filename: str = "photo.jpg") -> dict[str, Any]:
    response = call("POST", "/uploads", sub=OWNER, body={"filename": filename, "content_type": content_type, "size": 9})
    assert response.status == 201, response.text
    return dict(response.json)


def browser_post(stack: Stack, upload: dict[str, Any], data: bytes) -> str:
    """What the browser's presigned POST stores (moto does not check POST policies: the key and type are the form's)."""
    key = upload["fields"]["key"]
    stack.s3.put_object(Bucket=stack.originals, Key=key, Body=data, ContentType=upload["fields"]["Content-Type"])
    return str(key)


def photo(photo_id: str) -> ApiResponse:
    return call("GET", f"/photos/{photo_id}", sub=OWNER)


def listed() -> list[dict[str, Any]]:
    """The upload panel's list (unfinished and needs-attention photos; READY ones are in the timeline)."""
    return list(call("GET", "/photos/attention", sub=OWNER).json["items"])


# ---------------------------------------------------------------- AVIF end to end


def test_an_avif_upload_through_the_api_ends_ready(stack: Stack, pipeline: Pipeline) -> None:
    # Given an AVIF photo, uploaded the way the web app does
    upload = start_upload("image/avif", "holiday.avif")
    key = browser_post(stack, upload, encode("AVIF"))
    # When the worker gets S3's event
    assert pipeline.deliver(key) == {"batchItemFailures": []}
    # Then the photo is READY, read as AVIF, with its renditions and labels (analysed through the JPEG rendition)
    detail = photo(upload["photo_id"]).json
    assert (detail["status"], detail["format"], detail["content_type"]) == ("READY", "AVIF", "image/avif")
    assert detail["urls"]["thumb"] and detail["urls"]["preview"] and detail["reason"] is None
    assert "Apple" in [label["name"] for label in detail["labels"]]


def test_an_unaccepted_type_is_415_listing_exactly_the_accepted_formats(stack: Stack) -> None:
    response = call("POST", "/uploads", sub=OWNER, body={"filename": "a.tiff", "content_type": "image/tiff", "size": 9})
    assert response.status == 415 and response.json["code"] == "unsupported_media_type"
    assert response.json["message"].endswith(f"PhotoVault accepts {ACCEPTED_LABELS} photos.")
    assert ACCEPTED_LABELS == "JPEG, PNG, WebP, GIF, HEIC and AVIF"
    assert response.json["details"]["allowed"] == list(ACCEPTED_MIME_TYPES)


# ---------------------------------------------------------------- retrying, FAILED, redrive


def test_a_photo_between_attempts_is_retrying_then_failed_with_a_reason_and_a_redrive_makes_it_ready(
    stack: Stack, pipeline: Pipeline
) -> None:
    # Given Rekognition is down
    pipeline.rekognition.throttle_rate = 1.0
    upload = start_upload()
    key = browser_post(stack, upload, encode("JPEG"))
    # When the first delivery fails
    assert pipeline.deliver(key)["batchItemFailures"]
    # Then the owner sees the photo PROCESSING and retrying (after one attempt that hit an error), not just busy
    detail = photo(upload["photo_id"]).json
    assert detail["status"] == "PROCESSING" and detail["reason"] is None
    assert detail["retry"]["attempts"] == 1 and detail["retry"]["cause"] == "error"
    assert listed()[0]["retry"] == detail["retry"]
    # When the last delivery before the DLQ fails too
    assert pipeline.deliver(key, receive_count=MAX_RECEIVES)["batchItemFailures"]
    # Then the photo is FAILED with a reason its owner reads (and no longer "retrying")
    detail = photo(upload["photo_id"]).json
    assert (detail["status"], detail["retry"]) == ("FAILED", None)
    assert detail["reason"]["code"] == "service_unavailable" and "processed again" in detail["reason"]["message"]
    # When Rekognition is back and the operator redrives the message
    pipeline.rekognition.throttle_rate = 0.0
    assert pipeline.deliver(key) == {"batchItemFailures": []}
    # Then it is READY, the failure gone, announced once
    detail = photo(upload["photo_id"]).json
    assert (detail["status"], detail["reason"], detail["retry"]) == ("READY", None, None)
    assert [event.status.value for event in pipeline.notifier.events] == ["READY"]


# ---------------------------------------------------------------- uploads whose file never arrives


def test_an_expired_pending_photo_disappears_from_get_photos_at_once(stack: Stack) -> None:
    # Given two uploads started: one whose file never arrives, one still within its time
    lost, waiting = start_upload(filename="lost.jpg"), start_upload(filename="waiting.jpg")
    item_key = serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(lost["photo_id"])})
    stored = stack.dynamodb.get_item(TableName=stack.table, Key=item_key)["Item"]
    # The PENDING item carries the table's TTL attribute: the form's expiry plus the queue's retry span
    assert int(stored["expires_at"]["N"]) >= lost["expires_at"] + MAX_RECEIVES * 720
    # When the lost one's expiry passes (DynamoDB's TTL has not deleted it yet: that takes up to ~48 h)
    stack.dynamodb.update_item(
        TableName=stack.table,
        Key=item_key,
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    # Then it is gone from the gallery and its page at once; the other is still there
    assert [item["id"] for item in listed()] == [waiting["photo_id"]]
    assert photo(lost["photo_id"]).status == 404
    assert photo(waiting["photo_id"]).json["status"] == "PENDING"


def test_a_form_used_after_its_photo_was_deleted_leaves_no_object_version(stack: Stack, pipeline: Pipeline) -> None:
    # Given an upload started and its PENDING photo deleted by its owner (to the trash, then for good)
    upload = start_upload()
    assert call("DELETE", f"/photos/{upload['photo_id']}", sub=OWNER).status == 204
    gone = call(
        "POST", "/photos/actions", sub=OWNER, body={"action": "delete_forever", "photo_ids": [upload["photo_id"]]}
    )
    assert gone.status == 200 and gone.json["ok"] == 1
    # When the form is used anyway (it stays valid until it expires)
    key = browser_post(stack, upload, encode("JPEG"))
    assert pipeline.deliver(key) == {"batchItemFailures": []}
    # Then nothing is processed and the original is gone, every version of it
    versions = stack.s3.list_object_versions(Bucket=stack.originals, Prefix=key)
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
    assert photo(upload["photo_id"]).status == 404 and listed() == []
    assert sum(pipeline.rekognition.calls.values()) == 0


# ---------------------------------------------------------------- an upload trashed before its bytes arrive


def test_an_upload_trashed_before_its_bytes_arrive_ends_ready_in_the_trash_and_counts_nowhere_until_restored(
    stack: Stack, pipeline: Pipeline
) -> None:
    # Given an upload started and moved to the trash while its bytes are still on their way
    upload = start_upload(filename="late.jpg")
    pid = upload["photo_id"]
    assert call("DELETE", f"/photos/{pid}", sub=OWNER).status == 204
    trashed_at = photo(pid).json["trashed_at"]
    assert trashed_at
    # When the bytes arrive and the worker processes them
    key = browser_post(stack, upload, encode("JPEG"))
    assert pipeline.deliver(key) == {"batchItemFailures": []}

    # Then the photo is READY in the trash, trashed when it was, due for the purge 30 days from then
    detail = photo(pid).json
    assert (detail["status"], detail["trashed_at"]) == ("READY", trashed_at)
    assert [item["id"] for item in call("GET", "/trash", sub=OWNER).json["items"]] == [pid]
    stored = stack.dynamodb.get_item(
        TableName=stack.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(pid)})
    )["Item"]
    assert stored["gsi3pk"]["S"] == keys.trash_gsi3pk(OWNER)
    assert int(stored["expires_at"]["N"]) == photo_from_item(deserialize(stored)).purge_at
    # and nowhere else: not in the timeline, the upload panel, search, the label facets or the month counts
    assert call("GET", "/photos", sub=OWNER).json["items"] == []
    assert listed() == []
    assert call("GET", "/search", sub=OWNER, query={"q": "apple"}).json["items"] == []
    assert call("GET", "/labels", sub=OWNER).json["items"] == []
    assert call("GET", "/photos/dates", sub=OWNER).json == {"items": [], "total": 0}

    # When it is restored, it joins the timeline with its labels and its month counted once
    assert call("POST", f"/photos/{pid}/restore", sub=OWNER).status == 204
    assert [item["id"] for item in call("GET", "/photos", sub=OWNER).json["items"]] == [pid]
    found = call("GET", "/search", sub=OWNER, query={"q": "apple"}).json["items"]
    assert [hit["photo"]["id"] for hit in found] == [pid]
    assert {"label": "Apple", "count": 1} in call("GET", "/labels", sub=OWNER).json["items"]
    assert call("GET", "/photos/dates", sub=OWNER).json["total"] == 1


def test_an_upload_trashed_before_its_bytes_arrive_that_ends_failed_stays_due_for_the_purge(
    stack: Stack, pipeline: Pipeline
) -> None:
    # Given an upload moved to the trash while its bytes are on their way, and Rekognition down
    pipeline.rekognition.throttle_rate = 1.0
    upload = start_upload(filename="late.jpg")
    pid = upload["photo_id"]
    assert call("DELETE", f"/photos/{pid}", sub=OWNER).status == 204
    key = browser_post(stack, upload, encode("JPEG"))
    # When every delivery fails and the last one gives the photo up
    assert pipeline.deliver(key)["batchItemFailures"]
    assert pipeline.deliver(key, receive_count=MAX_RECEIVES)["batchItemFailures"]
    # Then it is FAILED in the trash — not in the upload panel — and still purged 30 days after it was trashed
    # (the claim took the upload's expiry away; without the trash's TTL back it would sit in the trash for ever)
    assert [(p["id"], p["status"]) for p in call("GET", "/trash", sub=OWNER).json["items"]] == [(pid, "FAILED")]
    assert listed() == []
    stored = deserialize(
        stack.dynamodb.get_item(
            TableName=stack.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(pid)})
        )["Item"]
    )
    assert stored.get("expires_at") == photo_from_item(stored).purge_at
    # And restored, it waits in the upload panel with its reason, with no TTL to delete it
    assert call("POST", f"/photos/{pid}/restore", sub=OWNER).status == 204
    assert [(p["id"], p["status"]) for p in listed()] == [(pid, "FAILED")]
    stored = stack.dynamodb.get_item(
        TableName=stack.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(pid)})
    )["Item"]
    assert "expires_at" not in stored
