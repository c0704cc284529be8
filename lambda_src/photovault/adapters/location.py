"""Amazon Location Service implementation of ``Geocoder``: ``SearchPlaceIndexForPosition`` on the stack's place index.

The index answers the nearest address with its municipality, region and an ISO 3166-1 alpha-3 country code; the
country's English name comes from ``countries.json`` (alpha-3 → alpha-2 and name, from Debian's iso-codes, with
the names the offline geocoder uses, so a place reads the same in AWS and in ``make run``). The ``location``
service model has been in botocore since 2020: the Lambda runtime's botocore has it, nothing is bundled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from photovault.adapters.aws import call_aws
from photovault.model import Place

COUNTRIES = Path(__file__).with_name("countries.json")


@cache
def countries() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 alpha-3 → (alpha-2, English name)."""
    data: dict[str, list[str]] = json.loads(COUNTRIES.read_text(encoding="utf-8"))
    return {code: (pair[0], pair[1]) for code, pair in data.items()}


def place_from_result(result: Mapping[str, Any], *, geocoder: str) -> Place | None:
    """The ``Place`` of one ``Results[]`` entry; None when it names neither a city, a region nor a country."""
    found = result.get("Place") or {}
    code3 = str(found.get("Country") or "")
    code2, country = countries().get(code3, ("", code3))
    place = Place(
        city=str(found.get("Municipality") or found.get("SubRegion") or ""),
        region=str(found.get("Region") or ""),
        country=country,
        country_code=code2,
        geocoder=geocoder,
    )
    return place if place.names else None


class LocationGeocoder:
    """Reverse geocoding on one Amazon Location place index (its data provider chooses the names)."""

    def __init__(self, client: Any, index_name: str, *, language: str = "en") -> None:
        self._client = client
        self._index = index_name
        self._language = language
        self.name = f"amazon-location:{index_name}"

    def place_of(self, latitude: float, longitude: float) -> Place | None:
        response = call_aws(
            lambda: self._client.search_place_index_for_position(
                IndexName=self._index,
                Position=[longitude, latitude],  # Amazon Location positions are [longitude, latitude]
                MaxResults=1,
                Language=self._language,
            ),
            "Amazon Location",
        )
        results = response.get("Results") or []
        return place_from_result(results[0], geocoder=self.name) if results else None
