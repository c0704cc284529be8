"""The sweep of unreferenced media folders (issue 13) on moto: a folder left by a run that died between its render and
its item write is deleted (every version) once it is old enough; a referenced folder, a young one (a run may be
between the two writes) and the old-scheme folders are kept; a second sweep finds nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault import ids, keys
from photovault.adapters.dynamodb.codec import photo_item, serialize
from scripts.sweep_media import sweep
from tests.support.aws import REGION, create_table
from tests.support.fakes import make_photo

TABLE = "photovault-test-photos"
BUCKET = "photovault-test-derivatives"
OWNER = "sweep-0001"
DAY = timedelta(days=1)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "t"), ("AWS_SECRET_ACCESS_KEY", "t"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        ddb, s3 = boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION)
        create_table(ddb, TABLE)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield ddb, s3


def _folder(s3: Any, prefix: str) -> None:
    for kind in ("thumb", "preview"):
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}{kind}.webp", Body=b"v1")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}thumb.webp", Body=b"v2")  # two versions


def _versions(s3: Any, prefix: str) -> int:
    page = s3.list_object_versions(Bucket=BUCKET, Prefix=prefix)
    return len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))


def test_an_unreferenced_folder_older_than_the_threshold_is_swept_and_nothing_else(aws: tuple[Any, Any]) -> None:
    ddb, s3 = aws
    # Given a READY photo and its folder, the folder of a run that crashed before its item write, and an old-scheme one
    photo = make_photo(OWNER)
    ddb.put_item(TableName=TABLE, Item=serialize(photo_item(photo)))
    assert photo.media_id
    _folder(s3, keys.media_prefix(photo.media_id))
    orphan = ids.new_media_id()
    _folder(s3, keys.media_prefix(orphan))
    legacy = keys.legacy_media_prefix(OWNER, "0197f000-0000-7000-8000-000000000009")
    _folder(s3, legacy)

    # When the sweep runs right away, nothing goes: the orphan might be a run between its two writes
    now = datetime.now(UTC)
    fresh = sweep(dynamodb=ddb, s3=s3, table=TABLE, bucket=BUCKET, older_than=DAY, now=now)
    assert (fresh.folders, fresh.referenced, fresh.young, fresh.swept) == (2, 1, 1, [])

    # When it runs a day later (a dry run first), only the orphan goes, every version of it
    later = now + DAY + timedelta(minutes=1)
    dry = sweep(dynamodb=ddb, s3=s3, table=TABLE, bucket=BUCKET, older_than=DAY, now=later, dry_run=True)
    assert dry.swept == [orphan] and _versions(s3, keys.media_prefix(orphan)) == 3
    swept = sweep(dynamodb=ddb, s3=s3, table=TABLE, bucket=BUCKET, older_than=DAY, now=later)
    assert (swept.swept, swept.versions_deleted) == ([orphan], 3)
    assert _versions(s3, keys.media_prefix(orphan)) == 0
    assert _versions(s3, keys.media_prefix(photo.media_id)) == 3 and _versions(s3, legacy) == 3

    # And a second sweep finds nothing
    assert sweep(dynamodb=ddb, s3=s3, table=TABLE, bucket=BUCKET, older_than=DAY, now=later).swept == []


def test_a_folder_a_media_key_backfill_has_reserved_is_kept(aws: tuple[Any, Any]) -> None:
    ddb, s3 = aws
    reserved = ids.new_media_id()
    photo = dataclasses.replace(make_photo(OWNER), media_id=None)
    ddb.put_item(TableName=TABLE, Item=serialize({**photo_item(photo), "media_pending": reserved}))
    _folder(s3, keys.media_prefix(reserved))
    later = datetime.now(UTC) + 2 * DAY
    result = sweep(dynamodb=ddb, s3=s3, table=TABLE, bucket=BUCKET, older_than=DAY, now=later)
    assert (result.referenced, result.swept) == (1, [])
