"""Upload quotas on the real table (moto): a request over a limit is 429 with Retry-After and creates nothing, and
two requests racing for the last slot cannot both pass — the quota item is written only at the revision read."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from photovault import composition, keys
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.library.quota import QuotaExceeded
from photovault.model import Photo, PhotoStatus
from photovault.ports import Usage
from photovault.settings import get_settings
from tests.integration.api.apitools import call
from tests.integration.api.conftest import Stack
from tests.support.aws import atomic_dynamodb
from tests.support.fakes import make_photo

OWNER = "quota-owner-0001"
OTHER = "quota-owner-0002"
MB = 1024 * 1024
BODY = {"filename": "a.jpg", "content_type": "image/jpeg", "size": 1024}


@pytest.fixture
def two_unfinished(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The api function configured for at most two unfinished uploads per user."""
    monkeypatch.setenv("QUOTA_PENDING_UPLOADS", "2")
    get_settings.cache_clear()
    composition.reset()
    yield stack
    get_settings.cache_clear()
    composition.reset()


def _photos(stack: Stack, owner: str) -> int:
    response = stack.dynamodb.query(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :photo)",
        ExpressionAttributeValues=serialize({":pk": keys.user_pk(owner), ":photo": keys.PHOTO_PREFIX}),
    )
    return int(response["Count"])


def test_an_upload_over_the_limit_is_429_with_retry_after_and_creates_nothing(two_unfinished: Stack) -> None:
    # Given the owner started two uploads that are still unfinished
    for _ in range(2):
        assert call("POST", "/uploads", sub=OWNER, body=BODY).status == 201
    # When she starts a third
    response = call("POST", "/uploads", sub=OWNER, body=BODY)
    # Then it is refused as throttled, says which limit and when to try again, and no photo was created
    assert response.status == 429, response.text
    assert response.json["code"] == "quota_exceeded" and response.json["details"] == {"limit": "pending"}
    assert response.headers["Retry-After"] == "60"
    assert "2 uploads are still unfinished" in response.json["message"]
    assert _photos(two_unfinished, OWNER) == 2
    # And another owner is not held back by her
    assert call("POST", "/uploads", sub=OTHER, body=BODY).status == 201


def test_two_requests_racing_for_the_last_slot_let_exactly_one_through(
    two_unfinished: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one slot left, and two requests that both read the quota item before either writes
    assert call("POST", "/uploads", sub=OWNER, body=BODY).status == 201
    both_read = threading.Barrier(2, timeout=10)
    first_reads: set[int] = set()
    real_usage = DynamoPhotoRepository.usage

    def usage_together(self: DynamoPhotoRepository, owner: str) -> Usage:
        usage = real_usage(self, owner)
        name = threading.current_thread().ident or 0
        if name not in first_reads:
            first_reads.add(name)
            both_read.wait()
        return usage

    monkeypatch.setattr(DynamoPhotoRepository, "usage", usage_together)
    library = composition.api().library
    outcomes: list[Any] = []

    def request() -> None:
        try:
            outcomes.append(library.request_upload(OWNER, filename="a.jpg", content_type="image/jpeg", size=1024))
        except Exception as exc:  # noqa: BLE001 — any other failure shows in the assertion below, not only on stderr
            outcomes.append(exc)

    # When both write (moto's backend answers one request at a time, as DynamoDB applies each atomically: without
    # this, two threads inside moto's transaction code at once failed there, not in the quota logic)
    threads = [threading.Thread(target=request) for _ in range(2)]
    with atomic_dynamodb():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Then exactly one passed, the other was refused on the limit (after reading again), and two photos exist
    refused = [outcome for outcome in outcomes if isinstance(outcome, QuotaExceeded)]
    assert (
        len(outcomes) == 2
        and len(refused) == 1
        and not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    ), outcomes
    assert refused[0].details == {"limit": "pending"}
    assert _photos(two_unfinished, OWNER) == 2
    assert len(real_usage(DynamoPhotoRepository(two_unfinished.dynamodb, two_unfinished.table), OWNER).open) == 2


def test_a_purged_photo_gives_its_stored_bytes_back_once_and_only_when_its_upload_is_settled(stack: Stack) -> None:
    repo = DynamoPhotoRepository(stack.dynamodb, stack.table)
    settled, still_open = make_photo(OWNER), make_photo(OWNER)  # READY, 2,000,000 bytes each
    pending = Photo(
        OWNER, make_photo(OWNER).photo_id, PhotoStatus.PENDING, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"
    )
    # Given 10 MB counted, one upload still open on the quota item
    assert repo.create_pending(pending, Usage(open={still_open.photo_id: MB}, bytes=10 * MB))
    # When the settled photo is purged twice (a replayed stream record) and the open one once
    for photo in (settled, settled, still_open):
        repo.remove_leftovers(photo)
    # Then only the settled photo's bytes came back, once; the open one is left to the next request's settling
    usage = repo.usage(OWNER)
    assert usage.bytes == 10 * MB - 2_000_000 and usage.open == {still_open.photo_id: MB}
    assert usage.revision == 2  # a request that read before the purge must read again


def test_the_account_page_shows_the_timeline_photos_and_the_bytes_the_quota_counts(stack: Stack) -> None:
    # Given three photos in the timeline (the month counters), one upload started (its declared size counted until it
    # settles), and another user's photo
    from tests.integration.api.apitools import bulk_seed

    bulk_seed(stack.dynamodb, stack.table, [make_photo(OWNER) for _ in range(3)] + [make_photo(OTHER)])
    assert call("POST", "/uploads", sub=OWNER, body={**BODY, "size": 5 * MB}).status == 201

    # When she opens the account page
    response = call("GET", "/account/usage", sub=OWNER)

    # Then it counts her photos and her bytes against her quota (the default 20 GB), nobody else's
    assert response.status == 200, response.text
    assert response.json == {"photos": 3, "bytes": 5 * MB, "quota_bytes": 20 * 1024**3}
    assert call("GET", "/account/usage", sub=OTHER).json == {"photos": 1, "bytes": 0, "quota_bytes": 20 * 1024**3}
