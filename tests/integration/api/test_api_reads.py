"""Search, facets and the library views read what matches or a page, not the library: items DynamoDB returns are
counted; a Scan fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from photovault import composition
from photovault.adapters import clients
from photovault.model import PhotoStatus
from tests.integration.api.apitools import ReadCounter, bulk_seed, call
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo

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
    assert [i["photo"]["id"] for i in items] == sorted((i["photo"]["id"] for i in items), reverse=True)
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
    assert {p["id"] for p in first.json["items"]}.isdisjoint({p["id"] for p in second.json["items"]})
    assert all(p["status"] == PhotoStatus.READY.value for p in second.json["items"])


BIG_LIBRARY = 10_000
PAGE = 50


@pytest.fixture
def big_library(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ReadCounter, list[str]]]:
    """10,000 READY photos of one owner taken over five years (one day apart, photo i on day i), 30 of them in an
    album, 40 favourites, 20 in the trash; then every DynamoDB read of the API counted."""
    start = date(2019, 1, 1)
    photos = [
        make_photo(
            OWNER,
            labels=[],
            caption="",
            now_ms=1_710_000_000_000 + i * 1000,
            taken_at=f"{start + timedelta(days=i // 6)}T{8 + i % 6:02d}:00:00",
        )
        for i in range(BIG_LIBRARY)
    ]
    ids = [p.photo_id for p in photos]
    # The album, favourites and trash are made through the API while the table is small (the emulator copies the
    # whole table for every transaction), then the rest of the library is written as the pipeline writes it.
    bulk_seed(stack.dynamodb, stack.table, photos[100:400])
    album = call("POST", "/albums", sub=OWNER, body={"name": "Thirty"}).json["id"]
    assert call("POST", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": ids[100:130]}).json["ok"] == 30
    favourites = {"action": "favorite", "photo_ids": ids[200:240]}
    assert call("POST", "/photos/actions", sub=OWNER, body=favourites).json["ok"] == 40
    trash = {"action": "trash", "photo_ids": ids[300:320]}
    assert call("POST", "/photos/actions", sub=OWNER, body=trash).json["ok"] == 20
    bulk_seed(stack.dynamodb, stack.table, photos[:100] + photos[400:])
    counting = ReadCounter(stack.dynamodb)
    original = clients.client

    def client(service: str, **kwargs: Any) -> Any:
        return counting if service == "dynamodb" else original(service, **kwargs)

    monkeypatch.setattr(clients, "client", client)
    composition.reset()
    yield counting, [album, *ids]


@pytest.mark.slow
def test_library_views_read_a_page_not_the_library(big_library: tuple[ReadCounter, list[str]]) -> None:
    """Each view of a 10,000-photo library: items DynamoDB returned (Query Count, point reads) are counted."""
    counter, (album, *ids) = big_library
    measured: dict[str, int] = {}

    def read(name: str, path: str, **query: str) -> Any:
        counter.reset()
        response = call("GET", path, sub=OWNER, query=query or None)
        assert response.status == 200, response.text
        measured[name] = counter.scanned
        assert "scan" not in counter.calls
        assert counter.session_checks == 1  # the sign-out check: one read per request, whatever the library
        return response.json

    # A timeline page: one Query, one page of items
    page = read("timeline page", "/photos", limit=str(PAGE))
    assert len(page["items"]) == PAGE and counter.calls == ["query"] and counter.scanned == PAGE
    days = [item["day"] for item in page["items"]]
    assert days == sorted(days, reverse=True)
    nxt = read("timeline next page", "/photos", limit=str(PAGE), cursor=page["cursor"])
    assert nxt["items"][0]["day"] <= days[-1] and counter.scanned == PAGE
    # A date-range page (March 2021, oldest first): one Query inside the range
    march = read(
        "date-range page", "/photos", limit=str(PAGE), order="taken_asc", **{"from": "2021-03-01", "to": "2021-03-31"}
    )
    assert [i["day"][:7] for i in march["items"]] == ["2021-03"] * PAGE and counter.scanned == PAGE
    # The album page: the album, one Query of its 30 memberships, one batched read of the 30 photos
    album_page = read("album page", f"/albums/{album}/photos", limit=str(PAGE))
    assert len(album_page["items"]) == 30 and counter.scanned == 1 + 30 + 30
    # The trash and the favourites: one Query each
    trash = read("trash", "/trash", limit=str(PAGE))
    assert len(trash["items"]) == 20 and counter.scanned == 20
    favourites = read("favourites", "/photos", limit=str(PAGE), favorite="true")
    assert len(favourites["items"]) == 40 and counter.scanned == 40
    # The months for the scrubber: one Query of ~5 years of month counters
    months = read("months", "/photos/dates")
    assert (
        months["total"] == BIG_LIBRARY - 20 and counter.calls == ["query"] and counter.scanned == len(months["items"])
    )
    # A photo with its neighbours: one point read, two one-item Queries
    read("photo detail", f"/photos/{ids[5000]}")
    assert counter.scanned == 3
    # A date-range search ("july 2023"): postings of the two date terms around one page, and the page's photos
    found = read("date search", "/search", q="july 2023", limit="30")
    assert len(found["items"]) == 30 and {i["photo"]["day"][:7] for i in found["items"]} == {"2023-07"}
    assert counter.scanned <= 30 + 30 + 8 * 30 + 30
    print(f"reads at {BIG_LIBRARY} photos: {measured}")
    assert max(measured.values()) < BIG_LIBRARY / 20
