"""Acceptance of the ingest pipeline on moto: terminal states, exactly-once effects, throttling, outages."""

from __future__ import annotations

import io
import json
import threading

from PIL import Image

from photovault import keys
from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.adapters.dynamodb.shares import DynamoShareRepository
from photovault.adapters.s3 import S3VersionDeleter
from photovault.observability import MetricName
from photovault.purge.service import PurgePhoto, cleanup_steps
from tests.integration.pipeline.test_last_delivery import emitted
from tests.support.fake_ai import solid_jpeg

RED, GREEN, BLUE, GRAY = (220, 30, 30), (30, 200, 40), (30, 60, 220), (128, 128, 128)
MAGENTA, YELLOW = (230, 20, 230), (235, 225, 20)


def s(item, name):
    return item[name]


def test_batch_of_ten_with_one_corrupt_file_ends_nine_ready_one_rejected(harness):
    # Given nine photos and one truncated JPEG uploaded through the real S3 → SQS notification
    good = [harness.upload(solid_jpeg(c)) for c in [RED, GREEN, BLUE] * 3]
    broken = harness.upload(solid_jpeg(RED)[:2000])
    messages = harness.messages()
    assert len(messages) == 10

    # When the worker gets them as one batch
    response = harness.invoke(messages)

    # Then nothing is reported failed, nine are READY and the bad one is REJECTED with a reason
    assert response == {"batchItemFailures": []}
    for owner, photo_id in good:
        item = harness.photo(owner, photo_id)
        assert s(item, "status") == "READY", item
    rejected = harness.photo(*broken)
    assert s(rejected, "status") == "REJECTED"
    assert s(rejected, "reason_code") == "corrupt_image"
    assert len(s(rejected, "reason")) > 20
    # And every photo was announced once, with attributes a per-user subscription can filter on
    notes = [json.loads(m["Body"]) for m in harness.notifications()]
    assert len(notes) == 10
    statuses = sorted(n["MessageAttributes"]["status"]["Value"] for n in notes)
    assert statuses == ["READY"] * 9 + ["REJECTED"]
    assert {n["MessageAttributes"]["owner"]["Value"] for n in notes} == {harness.owner}


def test_ready_photo_has_facts_analysis_caption_terms_and_derivatives(harness):
    owner, photo_id = harness.upload(solid_jpeg(GRAY, (1200, 800)))
    harness.invoke(harness.messages())

    item = harness.photo(owner, photo_id)
    assert s(item, "status") == "READY"
    facts = item["facts"]
    assert facts["width"] == 1200 and facts["format"] == "JPEG"
    caption = item["caption"]
    assert caption["fallback"] is False
    assert caption["model_id"].startswith("anthropic.")
    assert len(caption["text"].split()) <= 20
    provenance = item["provenance"]
    assert provenance["label_model_version"] == "3.0"
    assert provenance["prompt_version"]
    # The text found in the image is searchable with accents folded; labels with their field
    text_term = harness.items(f"USER#{owner}#T#zurich")
    assert text_term and text_term[0]["matches"][0]["field"] == "text"
    assert harness.items(f"USER#{owner}#T#document")
    # Derivatives exist, are WebP, fit their boxes and carry no EXIF
    for kind, side in (("thumb", 256), ("preview", 1600)):
        key = item["derivatives"][kind]["key"]
        assert key == f"media/{s(item, 'media_id')}/{kind}.webp" and owner not in key and photo_id not in key
        body = harness.s3.get_object(Bucket=harness.stack.derivatives, Key=key)["Body"].read()
        with Image.open(io.BytesIO(body)) as img:
            assert img.format == "WEBP" and max(img.size) <= side
            assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
    # Facets count the labels
    facets = {s(i, "label"): int(i["count"]) for i in harness.items(f"USER#{owner}#FACETS")}
    assert facets["Text"] == 1


def test_same_event_delivered_twice_is_processed_once(harness):
    owner, photo_id = harness.upload(solid_jpeg(RED))
    messages = harness.messages()

    harness.invoke(messages)
    terms_after_first = harness.items(f"USER#{owner}#T#apple")
    harness.invoke(messages)  # S3 at-least-once: the same notification again

    assert harness.rekognition.calls["DetectLabels"] == 1
    assert sum(harness.rekognition.calls.values()) == 4
    assert harness.bedrock.calls == 1
    assert len(harness.notifications()) == 1
    assert harness.items(f"USER#{owner}#T#apple") == terms_after_first
    facets = {s(i, "label"): int(i["count"]) for i in harness.items(f"USER#{owner}#FACETS")}
    assert facets["Apple"] == 1


def test_ten_concurrent_copies_of_one_event_have_one_effect(harness, atomic_moto):
    owner, photo_id = harness.upload(solid_jpeg(BLUE))
    (message,) = harness.messages()
    copies = [dict(message, MessageId=f"copy-{i}", ReceiptHandle=f"rh-{i}") for i in range(10)]
    results: list[dict] = []
    barrier = threading.Barrier(10)

    def deliver(copy: dict) -> None:
        barrier.wait()
        results.append(harness.invoke([copy]))

    threads = [threading.Thread(target=deliver, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    # Copies that met a live claim are handed back to SQS (never dropped: the claimant might still die) …
    failed = [r["batchItemFailures"] for r in results if r["batchItemFailures"]]
    assert len(results) == 10 and len(failed) >= 1
    assert s(harness.photo(owner, photo_id), "status") == "READY"
    # … and when SQS redelivers them, they are no-ops.
    assert harness.invoke(copies) == {"batchItemFailures": []}
    assert sum(harness.rekognition.calls.values()) == 4
    assert harness.bedrock.calls == 1
    assert len(harness.notifications()) == 1
    assert len(harness.items(f"USER#{owner}#T#sky")) == 1
    assert {s(i, "label"): int(i["count"]) for i in harness.items(f"USER#{owner}#FACETS")}["Sky"] == 1


def test_half_of_rekognition_calls_throttled_every_photo_still_ready(harness):
    harness.rekognition.throttle_rate = 0.5
    uploaded = [harness.upload(solid_jpeg(c)) for c in (RED, GREEN, BLUE, GRAY, YELLOW)]

    response = harness.invoke(harness.messages())

    assert response == {"batchItemFailures": []}
    assert harness.rekognition.throttled > 0 and harness.sleeps  # backoff happened
    assert all(s(harness.photo(*p), "status") == "READY" for p in uploaded)


def test_rekognition_always_throttled_fails_the_record_and_writes_nothing_then_retry_succeeds(harness):
    harness.rekognition.throttle_rate = 1.0
    owner, photo_id = harness.upload(solid_jpeg(GREEN))
    messages = harness.messages()

    response = harness.invoke(messages)

    # The record is reported failed (SQS redelivers it, then the DLQ), the photo is not READY, nothing half-written
    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    item = harness.photo(owner, photo_id)
    assert s(item, "status") == "PROCESSING" and item["lease_until"] == 0
    assert not harness.items(f"USER#{owner}#T#grass")
    assert harness.s3.list_objects_v2(Bucket=harness.stack.derivatives).get("KeyCount", 0) == 0
    assert not harness.notifications()

    # When the throttling ends, the redelivered message completes the photo at once (the claim was released)
    harness.rekognition.throttle_rate = 0.0
    assert harness.invoke(messages) == {"batchItemFailures": []}
    assert s(harness.photo(owner, photo_id), "status") == "READY"
    assert len(harness.notifications()) == 1


def test_bedrock_down_gives_ready_with_flagged_fallback_caption(harness):
    harness.bedrock.down = True
    owner, photo_id = harness.upload(solid_jpeg(RED))

    harness.invoke(harness.messages())

    item = harness.photo(owner, photo_id)
    assert s(item, "status") == "READY"
    caption = item["caption"]
    assert caption["fallback"] is True
    assert "apple" in caption["text"].lower()


def test_bedrock_receives_the_preview_image_the_labels_and_a_token_cap(harness):
    harness.upload(solid_jpeg(RED))
    harness.invoke(harness.messages())

    (request,) = harness.bedrock.requests
    content = request["messages"][0]["content"]
    assert content[0]["image"]["format"] == "webp" and content[0]["image"]["source"]["bytes"][:4] == b"RIFF"
    assert "Apple" in content[1]["text"]
    assert 0 < request["inferenceConfig"]["maxTokens"] <= 1024


def test_moderation_hit_quarantines_without_publishing_derivatives(harness):
    owner, photo_id = harness.upload(solid_jpeg(MAGENTA))

    harness.invoke(harness.messages())

    item = harness.photo(owner, photo_id)
    assert s(item, "status") == "QUARANTINED"
    assert "explicit nudity" in s(item, "reason").lower()
    assert harness.s3.list_objects_v2(Bucket=harness.stack.derivatives).get("KeyCount", 0) == 0
    assert not harness.items(f"USER#{owner}#T#pink")
    (note,) = harness.notifications()
    body = json.loads(note["Body"])
    assert body["MessageAttributes"]["status"]["Value"] == "QUARANTINED"
    assert "explicit nudity" in body["Message"].lower()
    assert harness.bedrock.calls == 0


def test_same_bytes_twice_is_a_duplicate_pointing_at_the_first_without_paid_analysis(harness):
    data = solid_jpeg(BLUE)
    first = harness.upload(data)
    harness.invoke(harness.messages())
    second = harness.upload(data)

    harness.invoke(harness.messages())

    item = harness.photo(*second)
    assert s(item, "status") == "DUPLICATE"
    assert s(item, "duplicate_of") == first[1]
    assert sum(harness.rekognition.calls.values()) == 4  # only the first photo was analysed
    assert harness.bedrock.calls == 1


def test_another_users_identical_bytes_are_not_a_duplicate(harness):
    data = solid_jpeg(BLUE)
    harness.upload(data)
    other = harness.upload(data, owner="9a8b7c6d-0000-4000-8000-000000000001")

    harness.invoke(harness.messages())

    assert s(harness.photo(*other), "status") == "READY"


def test_keys_are_url_decoded_and_test_events_are_ignored(harness):
    key_owner, key_photo = "user with spaces+plus", "phötö 1+2"
    harness.upload(solid_jpeg(GREEN), owner=key_owner, photo_id=key_photo)
    messages = harness.messages()
    test_event = dict(
        messages[0], MessageId="test-event", Body=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})
    )

    response = harness.invoke([*messages, test_event])

    assert response == {"batchItemFailures": []}
    assert s(harness.photo(key_owner, key_photo), "status") == "READY"


def test_a_body_that_is_not_an_s3_notification_fails_only_its_record(harness):
    owner, photo_id = harness.upload(solid_jpeg(RED))
    (good,) = harness.messages()
    poison = dict(good, MessageId="poison", Body="not json")

    response = harness.invoke([good, poison])

    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert s(harness.photo(owner, photo_id), "status") == "READY"


def test_an_upload_deleted_before_processing_is_not_resurrected(harness):
    owner, photo_id = harness.upload(solid_jpeg(RED))
    messages = harness.messages()
    # The owner deletes the photo (DELETE /photos/{id}: original, then the item) before the worker runs.
    harness.s3.delete_object(Bucket=harness.stack.originals, Key=f"uploads/{owner}/{photo_id}")
    harness.ddb.delete_item(
        TableName=harness.stack.table, Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}
    )

    assert harness.invoke(messages) == {"batchItemFailures": []}
    assert harness.photo(owner, photo_id) is None


def test_an_upload_without_a_photo_record_is_not_processed(harness):
    # A presigned POST reused after its photo was deleted (or an object put outside the API) …
    owner, photo_id = harness.upload(solid_jpeg(RED), requested=False)

    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}

    # … brings no record into being and costs no analysis.
    assert harness.photo(owner, photo_id) is None
    assert sum(harness.rekognition.calls.values()) == 0


def test_a_photo_deleted_while_it_is_processed_leaves_nothing_behind(harness):
    data = solid_jpeg(GREEN)
    owner, photo_id = harness.upload(data)
    messages = harness.messages()
    table, key = harness.stack.table, {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}
    original_generate = harness.bedrock.converse

    def delete_during_caption(**kwargs):
        # The owner's DELETE lands while the worker is captioning: it removes the item it can see.
        harness.ddb.delete_item(TableName=table, Key=key)
        return original_generate(**kwargs)

    harness.bedrock.converse = delete_during_caption

    assert harness.invoke(messages) == {"batchItemFailures": []}

    # No record, no terms, no facets, no derivatives, no hash record, no notification …
    assert harness.photo(owner, photo_id) is None
    assert not harness.items(f"USER#{owner}#T#grass")
    assert not [i for i in harness.items(f"USER#{owner}#FACETS") if int(i["count"])]
    assert harness.s3.list_objects_v2(Bucket=harness.stack.derivatives).get("KeyCount", 0) == 0
    assert not harness.notifications()
    # … so uploading the same photo again is a new photo, not a DUPLICATE of the deleted one.
    harness.bedrock.converse = original_generate
    again = harness.upload(data)
    harness.invoke(harness.messages())
    assert s(harness.photo(*again), "status") == "READY"


def test_a_retried_reprocess_counts_facets_once_and_drops_stale_fields(harness):
    owner, photo_id = harness.upload(solid_jpeg(RED))
    harness.invoke(harness.messages())
    facets = lambda: {s(i, "label"): int(i["count"]) for i in harness.items(f"USER#{owner}#FACETS")}  # noqa: E731
    assert facets()["Apple"] == 1
    # An operator asks for a reprocess; the first attempt is throttled out, the redelivery succeeds.
    table, key = harness.stack.table, {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}
    harness.ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET reprocess = :r",
        ExpressionAttributeValues={":r": {"M": {"run_id": {"S": "run-1"}}}},
    )
    harness.s3.put_object(Bucket=harness.stack.originals, Key=f"uploads/{owner}/{photo_id}", Body=solid_jpeg(MAGENTA))
    messages = harness.messages()
    harness.rekognition.throttle_rate = 1.0
    assert harness.invoke(messages)["batchItemFailures"]
    harness.rekognition.throttle_rate = 0.0
    assert harness.invoke(messages) == {"batchItemFailures": []}

    # The new content is quarantined: the old labels are taken back exactly once, nothing stale stays findable
    item = harness.photo(owner, photo_id)
    assert s(item, "status") == "QUARANTINED"
    assert "caption" not in item  # the READY run's caption does not survive
    assert facets()["Apple"] == 0 and facets()["Fruit"] == 0
    assert not harness.items(f"USER#{owner}#T#apple")
    assert item["provenance"]["history"][0]["label_model_version"] == "3.0"
    # … and the READY run's derivatives are gone, every version
    assert _versions(harness, "media/", harness.stack.derivatives) == []


def test_a_reprocess_gives_new_media_urls_and_deletes_every_version_of_the_old_derivatives(harness):
    # Given a READY photo
    owner, photo_id = harness.upload(solid_jpeg(RED))
    harness.invoke(harness.messages())
    before = harness.photo(owner, photo_id)
    old_keys = {d["key"] for d in before["derivatives"].values()}
    # When an operator reprocesses it
    table, key = harness.stack.table, {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}
    harness.ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET reprocess = :r",
        ExpressionAttributeValues={":r": {"M": {"run_id": {"S": "run-1"}}}},
    )
    harness.s3.put_object(Bucket=harness.stack.originals, Key=f"uploads/{owner}/{photo_id}", Body=solid_jpeg(GREEN))
    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}
    # Then its derivatives are in a new folder (new URLs: no cache holds them) …
    after = harness.photo(owner, photo_id)
    assert s(after, "status") == "READY" and s(after, "media_id") != s(before, "media_id")
    new_keys = {d["key"] for d in after["derivatives"].values()}
    assert all(k.startswith(f"media/{s(after, 'media_id')}/") for k in new_keys) and not new_keys & old_keys
    # … and the earlier ones are gone, every version; only the new ones are stored
    listing = harness.s3.list_object_versions(Bucket=harness.stack.derivatives)
    stored = [v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]
    assert sorted(stored) == sorted(new_keys)


def _versions(harness, key: str, bucket: str | None = None) -> list[str]:
    listing = harness.s3.list_object_versions(Bucket=bucket or harness.stack.originals, Prefix=key)
    return [v["VersionId"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]


def test_a_replayed_upload_form_runs_the_pipeline_once_and_keeps_only_the_bytes_its_photo_describes(harness, capsys):
    # Given a READY photo
    data = solid_jpeg(RED)
    owner, photo_id = harness.upload(data)
    harness.invoke(harness.messages())
    key = f"uploads/{owner}/{photo_id}"
    (kept,) = _versions(harness, key)
    ready = harness.photo(owner, photo_id)
    # When its upload form is used four more times with other bytes (four later versions of the key)
    for colour in (GREEN, BLUE, GRAY, YELLOW):
        harness.s3.put_object(Bucket=harness.stack.originals, Key=key, Body=solid_jpeg(colour))
    capsys.readouterr()
    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}
    # Then nothing ran again: one analysis, one caption, one announcement, the photo as it was …
    assert sum(harness.rekognition.calls.values()) == 4 and harness.bedrock.calls == 1
    assert len(harness.notifications()) == 1
    assert harness.photo(owner, photo_id) == ready
    # … each replay was counted, and only the version the photo was made from is stored
    assert emitted(capsys.readouterr().out, MetricName.REPLAYED_UPLOADS) == 4
    assert _versions(harness, key) == [kept]
    assert harness.s3.get_object(Bucket=harness.stack.originals, Key=key)["Body"].read() == data


def test_a_duplicate_keeps_no_bytes_so_purging_it_and_its_original_leaves_no_object(harness):
    # Given a READY photo and the same bytes uploaded again, which end DUPLICATE
    data = solid_jpeg(BLUE)
    first = harness.upload(data)
    harness.invoke(harness.messages())
    duplicate = harness.upload(data)
    harness.invoke(harness.messages())
    assert s(harness.photo(*duplicate), "status") == "DUPLICATE"
    # Then the duplicate holds no copy of the bytes, even when its form is used again
    duplicate_key = f"uploads/{duplicate[0]}/{duplicate[1]}"
    assert _versions(harness, duplicate_key) == []
    harness.s3.put_object(Bucket=harness.stack.originals, Key=duplicate_key, Body=solid_jpeg(GRAY))
    assert harness.invoke(harness.messages()) == {"batchItemFailures": []}
    assert _versions(harness, duplicate_key) == [] and sum(harness.rekognition.calls.values()) == 4
    # When the duplicate and then its original are deleted for good (the purge gets each item as it was removed)
    ddb, s3, table = harness.ddb, harness.s3, harness.stack.table
    repo = DynamoPhotoRepository(ddb, table)
    purge = PurgePhoto(
        cleanup_steps(
            shares=DynamoShareRepository(ddb, table),
            albums=DynamoAlbumRepository(ddb, table),
            leftovers=repo,
            originals=S3VersionDeleter(s3, harness.stack.originals),
            derivatives=S3VersionDeleter(s3, harness.stack.derivatives),
        )
    )
    for owner, photo_id in (duplicate, first):
        removed = repo.get(owner, photo_id)
        ddb.delete_item(TableName=table, Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}))
        purge(removed)
        # Then no object is left that no record describes
        assert _versions(harness, f"uploads/{owner}/{photo_id}") == []
    assert _versions(harness, f"uploads/{first[0]}/") == []
    assert _versions(harness, "media/", harness.stack.derivatives) == []


def test_a_replayed_version_named_by_its_etag_goes_but_never_the_version_the_photo_keeps(harness):
    # Given the version a photo was made from and two later ones: other bytes, then the same bytes again
    bucket, key = harness.stack.originals, "uploads/someone/0197a1b2-c3d4-7e5f-8a6b-00000000000a"
    red, green = solid_jpeg(RED), solid_jpeg(GREEN)
    kept, other, same = (harness.s3.put_object(Bucket=bucket, Key=key, Body=body) for body in (red, green, red))
    deleter = S3VersionDeleter(harness.s3, bucket)
    # When events that named no version (an emulator's) ask for the later ones by ETag
    assert deleter.delete_revision(key, other["ETag"].strip('"'), keep=kept["VersionId"]) == 1
    assert deleter.delete_revision(key, same["ETag"].strip('"'), keep=kept["VersionId"]) == 1
    # Then only the kept version is left, though the last one shares its ETag
    assert _versions(harness, key) == [kept["VersionId"]]
    assert deleter.delete_revision(key, kept["VersionId"], keep=kept["VersionId"]) == 0


def test_a_batchs_records_wait_on_their_ai_calls_side_by_side(harness, monkeypatch):
    # Given two photos in one batch, and a Bedrock that answers only once both captions are asked for at once
    photos = [harness.upload(solid_jpeg(colour)) for colour in (RED, BLUE)]
    both_asked = threading.Barrier(2, timeout=20)
    converse = harness.bedrock.converse

    def meet_then_answer(**kwargs):
        both_asked.wait()  # records handled one after the other never get past this: the first waits alone
        return converse(**kwargs)

    monkeypatch.setattr(harness.bedrock, "converse", meet_then_answer)
    # When the worker gets them as one batch
    response = harness.invoke(harness.messages())
    # Then both captions were asked for while the other record waited too, and each photo is READY with its own
    assert response == {"batchItemFailures": []}
    assert not both_asked.broken
    for owner, photo_id in photos:
        item = harness.photo(owner, photo_id)
        assert s(item, "status") == "READY"
        assert s(item, "caption")["fallback"] is False


def test_a_batchs_records_take_turns_to_decode(harness, monkeypatch):
    from photovault import images  # what the ingest use case decodes through (loaded with the first photo)

    # Given four photos in one batch, and the decode step watched for overlap
    for colour in (RED, GREEN, BLUE, GRAY):
        harness.upload(solid_jpeg(colour))
    in_decode, most = [0], [0]
    guard = threading.Lock()
    real_validate = images.validate

    def watched(*args, **kwargs):
        with guard:
            in_decode[0] += 1
            most[0] = max(most[0], in_decode[0])
        try:
            return real_validate(*args, **kwargs)
        finally:
            with guard:
                in_decode[0] -= 1

    monkeypatch.setattr(images, "validate", watched)
    # When the worker handles the batch, its records side by side
    response = harness.invoke(harness.messages())
    # Then every photo was decoded, never two at once (each decode may use the whole decode memory cap)
    assert response == {"batchItemFailures": []}
    assert most[0] == 1
