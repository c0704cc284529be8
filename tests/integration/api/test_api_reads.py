"""Search and facets read what matches, not the library: items DynamoDB returns are counted; a Scan fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from photovault.adapters import clients
from photovault.model import PhotoStatus
from tests.integration.api.apitools import ReadCounter, bulk_seed, call
from tests.integration.api.conftest import Stack
from tests.unit.api.fakes import make_photo

OWNER = "reader-0001"
LIBRARY_SIZE = 1000
RARE_EVERY = 333  # photos 0, 333, 666, 999 show a giraffe: 4 matches in 1,000
COMMON = [("Dog", 95.0), ("Beach", 90.0), ("Sky", 88.0)]


@pytest.fixture
def counter(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReadCounter]:
    """1,000 photos of one owner (and some of another), then every DynamoDB read of the API counted."""
    photos = [
        make_photo(
            OWNER,
            labels=[*COMMON, ("Giraffe", 91.0)] if i % RARE_EVERY == 0 else COMMON[i % 3 :],
            caption="",
            now_ms=1_710_000_000_000 + i * 1000,
        )
        for i in range(LIBRARY_SIZE)
    ]
    photos += [make_photo("someone-else", labels=[("Giraffe", 99.0)], caption="") for _ in range(20)]
    bulk_seed(stack.dynamodb, stack.table, photos)
    counting = ReadCounter(stack.dynamodb)
    original = clients.client

    def client(service: str, **kwargs: Any) -> Any:
        return counting if service == "dynamodb" else original(service, **kwargs)

    monkeypatch.setattr(clients, "client", client)
    yield counting


@pytest.mark.slow
def test_reads_grow_with_the_matches_not_with_the_library(counter: ReadCounter) -> None:
    """One library of 1,000 photos (seeding it is the slow part), four ways of reading it."""
    # When the owner searches a term 4 of their 1,000 photos have
    response = call("GET", "/search", sub=OWNER, query={"q": "giraffes"})
    # Then the 4 come back, newest first, and DynamoDB returned 4 postings + 4 photo items — nothing else
    assert response.status == 200
    items = response.json["items"]
    assert len(items) == 4
    assert [i["photo"]["photo_id"] for i in items] == sorted((i["photo"]["photo_id"] for i in items), reverse=True)
    assert items[0]["matches"] == [{"term": "giraffe", "field": "label", "confidence": 91.0}]
    print(f"rare term at {LIBRARY_SIZE} photos: items={counter.items} scanned={counter.scanned} {counter.calls}")
    assert counter.items == 8 and counter.scanned == 8
    assert "scan" not in counter.calls

    # When the rare term is combined with a term most photos have
    counter.reset()
    response = call("GET", "/search", sub=OWNER, query={"q": "dog giraffe", "limit": "10"})
    # Then the reads are the rare postings, one chunk of the common term, point reads and the photos
    assert response.status == 200 and len(response.json["items"]) == 4
    print(f"rare AND common: items={counter.items} {counter.calls}")
    assert counter.scanned <= 4 + 10 + 4 + 4

    # When the owner opens the label facets
    counter.reset()
    response = call("GET", "/labels", sub=OWNER)
    # Then it is one Query returning one item per label, with counts over the whole library
    assert response.status == 200
    facets = {f["label"]: f["count"] for f in response.json["items"]}
    expected: dict[str, int] = {}
    for i in range(LIBRARY_SIZE):
        for name, _ in [*COMMON, ("Giraffe", 0.0)] if i % RARE_EVERY == 0 else COMMON[i % 3 :]:
            expected[name] = expected.get(name, 0) + 1
    assert facets == expected
    print(f"facets at {LIBRARY_SIZE} photos: items={counter.items} {counter.calls}")
    assert counter.calls == ["query"] and counter.items == len(expected)

    # When the owner pages through the gallery
    counter.reset()
    first = call("GET", "/photos", sub=OWNER, query={"limit": "25"})
    # Then a page reads a page
    assert first.status == 200 and len(first.json["items"]) == 25
    assert counter.scanned == 25
    second = call("GET", "/photos", sub=OWNER, query={"limit": "25", "cursor": first.json["cursor"]})
    assert {p["photo_id"] for p in first.json["items"]}.isdisjoint({p["photo_id"] for p in second.json["items"]})
    assert all(p["status"] == PhotoStatus.READY.value for p in second.json["items"])
