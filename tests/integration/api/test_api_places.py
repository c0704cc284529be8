"""Places and the map through the API on the emulated table: "zurich" finds Zürich (city, region and country each a
term), GET /places counts them, GET /map pages through the geotagged timeline photos only (the sparse gsi5, never a
Scan), and a trashed photo leaves both at once."""

from __future__ import annotations

import pytest

from photovault.model import Place
from tests.integration.api.apitools import call, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo
from tests.support.geo import ZURICH, ZURICH_PLACE

OWNER = "traveller-0001"
TOKYO = (35.6895, 139.6917)
TOKYO_PLACE = Place(city="Tokyo", region="Tokyo", country="Japan", country_code="JP")


@pytest.fixture
def trip(stack: Stack) -> dict[str, str]:
    photos = {
        "zurich": make_photo(OWNER, gps=ZURICH, place=ZURICH_PLACE, now_ms=1_710_000_000_000),
        "zurich-2": make_photo(OWNER, gps=ZURICH, place=ZURICH_PLACE, now_ms=1_710_000_001_000),
        "tokyo": make_photo(OWNER, gps=TOKYO, place=TOKYO_PLACE, now_ms=1_710_000_002_000),
        "unnamed": make_photo(OWNER, gps=(0.0, -30.0), now_ms=1_710_000_003_000),  # at sea: no place, still a point
        "no-gps": make_photo(OWNER, now_ms=1_710_000_004_000),
    }
    for photo in photos.values():
        seed_through_pipeline(stack.dynamodb, stack.table, photo)
    return {name: photo.photo_id for name, photo in photos.items()}


def test_places_are_found_accent_folded_by_city_region_and_country(stack: Stack, trip: dict[str, str]) -> None:
    zurich = {trip["zurich"], trip["zurich-2"]}
    for query in ("zurich", "Zürich", "ZÜRICH", "switzerland"):
        found = call("GET", "/search", sub=OWNER, query={"q": query}).json
        assert {hit["photo"]["id"] for hit in found["items"]} == zurich, query
        assert all(m["field"] == "place" for hit in found["items"] for m in hit["matches"]), query
    found = call("GET", "/search", sub=OWNER, query={"q": "japan"}).json
    assert [hit["photo"]["id"] for hit in found["items"]] == [trip["tokyo"]]


def test_the_place_facets_count_cities_regions_and_countries(stack: Stack, trip: dict[str, str]) -> None:
    places = call("GET", "/places", sub=OWNER).json["items"]
    # A region named like its city is one facet, however its accents are written (Zürich, canton "Zurich"; Tokyo)
    assert {p["place"]: p["count"] for p in places} == {"Zürich": 2, "Switzerland": 2, "Tokyo": 1, "Japan": 1}
    assert places[0]["count"] == 2
    # And the label facets are only labels
    assert {f["label"] for f in call("GET", "/labels", sub=OWNER).json["items"]} == {"Dog"}


def test_the_map_pages_through_the_geotagged_photos_only_and_a_trashed_one_leaves_it(
    stack: Stack, trip: dict[str, str]
) -> None:
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        page = call("GET", "/map", sub=OWNER, query={"limit": "2", **({"cursor": cursor} if cursor else {})}).json
        seen += page["items"]
        cursor = page["cursor"]
        if not cursor:
            break
    assert [p["id"] for p in seen] == [trip[n] for n in ("unnamed", "tokyo", "zurich-2", "zurich")]  # newest first
    zurich = next(p for p in seen if p["id"] == trip["zurich"])
    assert (zurich["lat"], zurich["lon"]) == pytest.approx(ZURICH)
    assert set(zurich) == {"id", "lat", "lon"}  # nothing signed: the map asks for the thumbnails it draws
    assert set(call("GET", "/map", sub=OWNER).json) == {"items", "cursor"}

    assert call("DELETE", f"/photos/{trip['tokyo']}", sub=OWNER).status == 204
    assert trip["tokyo"] not in {p["id"] for p in call("GET", "/map", sub=OWNER).json["items"]}
    assert "Japan" not in {p["place"] for p in call("GET", "/places", sub=OWNER).json["items"]}


def test_the_photo_detail_names_the_place_for_its_owner(stack: Stack, trip: dict[str, str]) -> None:
    detail = call("GET", f"/photos/{trip['zurich']}", sub=OWNER).json
    assert detail["place"] == {"city": "Zürich", "region": "Zurich", "country": "Switzerland"}
    assert call("GET", f"/photos/{trip['unnamed']}", sub=OWNER).json["place"] is None
