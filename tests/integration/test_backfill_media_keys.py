"""The copy-only move of old media keys (issue 13) on moto: a photo rendered before opaque media ids ends pointing at
a fresh ``media/<media_id>/`` holding the same bytes, with no version left under ``media/<sub>/<id>/`` — whatever
step a run stopped at, the next one finishes it, and a second run finds nothing. Only S3 copies and item writes:
the script has no Rekognition or Bedrock client at all."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault import ids, keys
from photovault.adapters.dynamodb.codec import photo_from_item, photo_item, serialize
from photovault.model import Photo
from scripts.backfill_media_keys import MediaBackfillResult, MediaMover, backfill, to_move
from tests.support.aws import REGION, create_table
from tests.support.fakes import make_photo

TABLE = "photovault-test-photos"
BUCKET = "photovault-test-derivatives"
OWNER = "media-backfill-0001"


@dataclasses.dataclass
class Aws:
    ddb: Any
    s3: Any

    def item(self, photo: Photo) -> dict[str, Any]:
        from photovault.adapters.dynamodb.codec import deserialize

        key = serialize({"pk": keys.user_pk(photo.owner), "sk": keys.photo_sk(photo.photo_id)})
        return deserialize(self.ddb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"])

    def versions(self, prefix: str) -> list[str]:
        page = self.s3.list_object_versions(Bucket=BUCKET, Prefix=prefix)
        return [v["Key"] for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]

    def run(self) -> MediaBackfillResult:
        items = list(to_move(self.ddb, TABLE))
        return backfill(items, dynamodb=self.ddb, s3=self.s3, table=TABLE, bucket=BUCKET, show_progress=False)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "t"), ("AWS_SECRET_ACCESS_KEY", "t"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        ddb, s3 = boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION)
        create_table(ddb, TABLE)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield Aws(ddb, s3)


def _legacy(aws: Aws) -> Photo:
    """A READY photo as the worker wrote it before media ids: derivatives under media/<sub>/<id>/ (the thumb twice:
    an earlier render's version is still in the versioned bucket)."""
    photo = make_photo(OWNER)
    legacy = keys.legacy_media_prefix(OWNER, photo.photo_id)
    derivatives = {kind: {**d, "key": f"{legacy}{kind}.webp"} for kind, d in photo.derivatives.items()}
    photo = dataclasses.replace(photo, media_id=None, derivatives=derivatives)
    aws.ddb.put_item(TableName=TABLE, Item=serialize(photo_item(photo)))
    aws.s3.put_object(Bucket=BUCKET, Key=f"{legacy}thumb.webp", Body=b"old thumb render")
    for kind in derivatives:
        aws.s3.put_object(Bucket=BUCKET, Key=f"{legacy}{kind}.webp", Body=f"{kind} bytes".encode())
    return photo


def _assert_moved(aws: Aws, photo: Photo) -> Photo:
    moved = photo_from_item(aws.item(photo))
    assert moved.media_id is not None and ids.is_media_id(moved.media_id)
    for kind, derivative in moved.derivatives.items():
        assert derivative["key"] == keys.derivative_key(moved, kind) == f"media/{moved.media_id}/{kind}.webp"
        body = aws.s3.get_object(Bucket=BUCKET, Key=derivative["key"])["Body"].read()
        assert body == f"{kind} bytes".encode()
        assert derivative["width"] == photo.derivatives[kind]["width"]
    assert aws.versions(keys.legacy_media_prefix(OWNER, photo.photo_id)) == []
    assert not {"media_pending", "legacy_media"} & set(aws.item(photo))
    # one folder under media/: no copy left behind
    assert {k.split("/")[1] for k in aws.versions("media/")} == {moved.media_id}
    return moved


def test_an_old_photo_moves_to_a_fresh_opaque_folder_and_its_old_folder_is_gone(aws: Aws) -> None:
    photo = _legacy(aws)
    result = aws.run()
    assert (result.selected, result.moved, result.legacy_deleted, result.skipped) == (1, 1, 1, [])
    moved = _assert_moved(aws, photo)
    # A second run finds nothing to do
    assert aws.run().selected == 0
    assert photo_from_item(aws.item(photo)).media_id == moved.media_id


def test_a_run_stopped_after_copying_is_finished_by_the_next_with_the_same_folder(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = _legacy(aws)

    def crash(*_: Any, **__: Any) -> bool:
        raise RuntimeError("the operator's laptop went to sleep")

    # Given a run that reserved a media id and copied, then stopped before pointing the item at it
    monkeypatch.setattr(MediaMover, "_point", crash)
    with pytest.raises(RuntimeError):
        aws.run()
    reserved = aws.item(photo)["media_pending"]
    monkeypatch.undo()
    # When the backfill runs again, it finishes with the same folder and leaves no stray copy
    assert aws.run().moved == 1
    assert _assert_moved(aws, photo).media_id == reserved


def test_a_run_stopped_before_deleting_the_old_folder_is_finished_by_the_next(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = _legacy(aws)
    monkeypatch.setattr(MediaMover, "_delete_legacy", lambda *_: (_ for _ in ()).throw(RuntimeError("stopped")))
    with pytest.raises(RuntimeError):
        aws.run()
    assert aws.item(photo)["legacy_media"] == keys.legacy_media_prefix(OWNER, photo.photo_id)
    monkeypatch.undo()
    result = aws.run()
    assert (result.selected, result.moved, result.legacy_deleted) == (1, 0, 1)
    _assert_moved(aws, photo)


def test_a_photo_reprocessed_while_it_was_copied_keeps_its_new_render_and_the_copy_is_removed(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = _legacy(aws)
    real_copy = MediaMover._copy

    def copy_then_reprocess(self: MediaMover, derivatives: dict[str, Any], media_id: str) -> dict[str, Any]:
        moved = real_copy(self, derivatives, media_id)
        rendered = make_photo(OWNER, photo_id=photo.photo_id)  # what a reprocess writes: a Put of the whole item
        aws.ddb.put_item(TableName=TABLE, Item=serialize(photo_item(rendered)))
        return moved

    monkeypatch.setattr(MediaMover, "_copy", copy_then_reprocess)
    result = aws.run()
    # Then the item keeps what the run wrote, and the copy is deleted again (every version): under media/ only the
    # old folder is left, which the run itself deletes as its superseded render in the real pipeline
    assert result.moved == 0 and "copy removed" in result.skipped[0][1]
    assert photo_from_item(aws.item(photo)).media_id != aws.item(photo).get("media_pending")
    legacy = keys.legacy_media_prefix(OWNER, photo.photo_id)
    assert aws.versions("media/") and all(k.startswith(legacy) for k in aws.versions("media/"))
