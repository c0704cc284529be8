"""The backfill of issue 14's library keys on moto: items written before them join the timeline, the trash-less
views, the month counters and the date/file name/camera search exactly as new items do — once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault import keys
from photovault.adapters.dynamodb.codec import photo_item, serialize, term_item
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.model import PhotoStatus
from photovault.ports import Collection, LibraryView
from photovault.search.index import index_terms
from scripts.backfill_library_keys import backfill, without_library_keys
from tests.support.aws import REGION, create_table
from tests.support.fakes import make_photo

TABLE = "photovault-test-photos"
OWNER = "backfill-0001"
LIBRARY_KEYS = ("gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk", "taken_sort", "favorite", "indexed_month", "expires_at")


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


def _legacy(client: Any, photo: Any) -> None:
    """What the pipeline wrote before issue 14: the photo item without library keys, content terms only."""
    item = {k: v for k, v in photo_item(photo).items() if k not in LIBRARY_KEYS}
    terms = index_terms(photo.analysis, photo.caption, 70.0) if photo.status is PhotoStatus.READY else {}
    item["indexed_terms"] = list(terms)
    item["indexed_labels"] = ["Dog"] if terms else []
    client.put_item(TableName=TABLE, Item=serialize(item))
    for term in terms:
        client.put_item(
            TableName=TABLE, Item=serialize(term_item(photo.owner, _posting(photo.photo_id, term), photo.created_at))
        )


def _posting(photo_id: str, term: str) -> Any:
    from photovault.ports import TermMatch, TermPosting

    return TermPosting(term, photo_id, (TermMatch("label", 97.0, term),))


def test_old_items_join_the_library_views_and_a_second_run_finds_nothing(dynamodb: Any) -> None:
    # Given items written before the library keys: two READY photos (one a Canon shot in July 2023), a REJECTED one
    july = make_photo(OWNER, taken_at="2023-07-04T10:00:00", camera=("Canon", "EOS R6"), filename="beach_day.jpg")
    march = make_photo(OWNER)  # no EXIF date: uploaded 2024-03-10
    rejected = make_photo(OWNER, status=PhotoStatus.REJECTED)
    for photo in (july, march, rejected):
        _legacy(dynamodb, photo)
    repository = DynamoPhotoRepository(dynamodb, TABLE)
    assert repository.list_view(OWNER, LibraryView(Collection.TIMELINE), limit=10, start=None).photos == []

    # When the backfill runs
    found = list(without_library_keys(dynamodb, TABLE))
    result = backfill(found, dynamodb=dynamodb, table=TABLE, min_label_confidence=70.0, show_progress=False)

    # Then the READY ones are in the timeline by date taken, the REJECTED one needs attention, months are counted
    assert (result.selected, result.updated, result.skipped) == (3, 3, [])
    timeline = repository.list_view(OWNER, LibraryView(Collection.TIMELINE), limit=10, start=None).photos
    assert [p.photo_id for p in timeline] == [march.photo_id, july.photo_id]
    attention = repository.list_view(OWNER, LibraryView(Collection.ATTENTION), limit=10, start=None).photos
    assert [p.photo_id for p in attention] == [rejected.photo_id]
    assert sorted((m.month, m.count) for m in repository.months(OWNER)) == [("2023-07", 1), ("2024-03", 1)]
    # And the date, file name and camera find the July photo; its old terms are still there
    for term in ("july", "2023", "beach", "canon", "dog"):
        page = repository.term_postings(OWNER, term, limit=10, before=None)
        assert july.photo_id in [p.photo_id for p in page.postings], term
    # And a second run finds nothing left to do (the counters are not counted twice)
    assert list(without_library_keys(dynamodb, TABLE)) == []
    assert sorted((m.month, m.count) for m in repository.months(OWNER)) == [("2023-07", 1), ("2024-03", 1)]
    assert keys.taken_sort(july).startswith("2023-07-04T10:00:00#")
