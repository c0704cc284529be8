"""The stored-bytes backfill of issue 13 on moto: photos stored before quotas existed are counted into their owners'
quota items — once, however often the script runs, and never a photo the quota already counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault.adapters.dynamodb.codec import photo_item, serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.model import Photo, PhotoStatus
from photovault.ports import Usage
from scripts.backfill_quota_bytes import backfill, stored_before
from tests.support.aws import REGION, create_table
from tests.support.fakes import make_photo

TABLE = "photovault-test-photos"
ALICE, BOB = "quota-backfill-0001", "quota-backfill-0002"
QUOTAS_DEPLOYED = "2026-11-30T00:00:00.000Z"
SIZE = 2_000_000  # make_photo's stored size


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "t"), ("AWS_SECRET_ACCESS_KEY", "t"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, TABLE)
        yield client


def _stored(client: Any, owner: str, *, created_at: str, status: PhotoStatus = PhotoStatus.READY) -> Photo:
    photo = dataclasses.replace(make_photo(owner), status=status, created_at=created_at, updated_at=created_at)
    client.put_item(TableName=TABLE, Item=serialize(photo_item(photo)))
    return photo


def _run(client: Any) -> Any:
    photos = list(stored_before(client, TABLE, QUOTAS_DEPLOYED))
    return backfill(photos, dynamodb=client, table=TABLE, show_progress=False)


def test_photos_stored_before_quotas_are_counted_once_and_later_ones_are_left_to_the_quota(dynamodb: Any) -> None:
    repo = DynamoPhotoRepository(dynamodb, TABLE)
    # Given alice's two photos and a quarantined one stored before quotas, and bob's one, bob having no quota item
    for _ in range(2):
        _stored(dynamodb, ALICE, created_at="2026-10-01T10:00:00.000Z")
    _stored(dynamodb, ALICE, created_at="2026-10-02T10:00:00.000Z", status=PhotoStatus.QUARANTINED)
    _stored(dynamodb, ALICE, created_at="2026-10-03T10:00:00.000Z", status=PhotoStatus.REJECTED)  # keeps no bytes
    _stored(dynamodb, BOB, created_at="2026-09-01T10:00:00.000Z")
    # … and alice's photo uploaded under quotas, already counted (settled) on her quota item with 7 bytes open
    _stored(dynamodb, ALICE, created_at="2026-12-01T10:00:00.000Z")
    pending = Photo(
        ALICE, "0197f000-0000-7000-8000-000000000001", PhotoStatus.PENDING, QUOTAS_DEPLOYED, QUOTAS_DEPLOYED
    )
    assert repo.create_pending(pending, Usage(open={pending.photo_id: 7}, bytes=SIZE + 7))

    # When the backfill runs
    first = _run(dynamodb)
    # Then each older photo that keeps its bytes was counted once, the newer one and the rejected one not at all
    assert (first.selected, first.counted, first.counted_bytes) == (3 + 1, 4, 4 * SIZE)
    alice, bob = repo.usage(ALICE), repo.usage(BOB)
    assert alice.bytes == 4 * SIZE + 7 and alice.open == {pending.photo_id: 7}
    assert alice.revision > 1  # a request that read the quota item before must read it again
    assert bob.bytes == SIZE  # bob got a quota item

    # And running it again (or after an interruption) counts nothing twice
    second = _run(dynamodb)
    assert (second.counted, second.already) == (0, 4)
    assert (repo.usage(ALICE).bytes, repo.usage(BOB).bytes) == (4 * SIZE + 7, SIZE)


def test_a_dry_run_counts_nothing(dynamodb: Any) -> None:
    _stored(dynamodb, ALICE, created_at="2026-10-01T10:00:00.000Z")
    photos = list(stored_before(dynamodb, TABLE, QUOTAS_DEPLOYED))
    result = backfill(photos, dynamodb=dynamodb, table=TABLE, dry_run=True, show_progress=False)
    assert (result.selected, result.counted) == (1, 0)
    assert DynamoPhotoRepository(dynamodb, TABLE).usage(ALICE) == Usage()
