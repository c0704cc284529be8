"""Stream records, decoded: the purge acts on exactly the REMOVEs of photo items (the filter's rule), knows a TTL
expiry from a person's delete, and refuses an old image that does not describe its own key."""

from __future__ import annotations

import copy

import pytest

from photovault.adapters.dynamodb.codec import photo_item
from photovault.adapters.dynamodb.stream import removed_photo
from photovault.purge.service import Removal
from tests.support.events import sample, stream_remove
from tests.support.fakes import make_photo

OWNER = "alice-0001"


def test_the_real_ttl_removal_of_a_trashed_photo_is_an_expiry() -> None:
    ttl_record, _ = sample("dynamodb_stream_removes")["Records"]
    removed = removed_photo(ttl_record)
    assert removed is not None
    assert removed.removal is Removal.EXPIRED
    assert removed.photo.photo_id == "0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d"
    assert removed.photo.indexed_terms and removed.photo.facts is not None  # what the purge needs, from the old image


def test_a_removed_term_item_is_not_a_photo() -> None:
    _, term_record = sample("dynamodb_stream_removes")["Records"]
    assert removed_photo(term_record) is None


def test_a_persons_delete_is_a_user_removal() -> None:
    photo = make_photo(OWNER)
    removed = removed_photo(stream_remove(photo_item(photo)))
    assert removed is not None and removed.removal is Removal.USER and removed.photo.owner == OWNER


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY"])
def test_writes_that_remove_nothing_are_ignored(event_name: str) -> None:
    record = stream_remove(photo_item(make_photo(OWNER)))
    record["eventName"] = event_name
    assert removed_photo(record) is None


def test_a_service_identity_other_than_dynamodb_is_not_a_ttl_expiry() -> None:
    record = stream_remove(photo_item(make_photo(OWNER)), by_ttl=True)
    record["userIdentity"]["principalId"] = "lambda.amazonaws.com"
    removed = removed_photo(record)
    assert removed is not None and removed.removal is Removal.USER


def test_an_old_image_of_another_owner_is_refused() -> None:
    record = stream_remove(photo_item(make_photo(OWNER)))
    forged = copy.deepcopy(record)
    forged["dynamodb"]["OldImage"]["owner"] = {"S": "mallory-0003"}
    with pytest.raises(ValueError, match="describes"):
        removed_photo(forged)


def test_a_remove_without_the_old_image_is_refused() -> None:
    record = stream_remove(photo_item(make_photo(OWNER)))
    del record["dynamodb"]["OldImage"]
    with pytest.raises(ValueError, match="old image"):
        removed_photo(record)
