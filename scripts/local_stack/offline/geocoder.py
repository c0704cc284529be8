"""``OfflineGeocoder``: the local stand-in for Amazon Location, behind the same ``Geocoder`` port.

``reverse_geocode`` (a wheel with GeoNames' populated places and their admin names) answers the nearest place of at
least ``MIN_POPULATION`` people. The floor keeps villages of a few hundred people from naming a city's streets;
GeoNames also lists city districts ("Zürich (Kreis 1) / Lindenhof", 1,298 people), so a numbered district and a
quarter after " / " read as their city. Measured on Zürich's centre: 0 → "Zürich (Kreis 1) / Lindenhof", 5,000 →
"Zürich (Kreis 1)" → "Zürich"; 15,000 already names Sierre for Zermatt (40 km away), 50,000 a district of Turin.
The nearest-point rule has limits AWS's index has not: the Eiffel Tower reads "Vanves", Berlin's centre "Mitte".
"""

from __future__ import annotations

import math
import re
import threading
from importlib.metadata import version

import reverse_geocode  # type: ignore[import-untyped]  # no stubs; one call, typed by its use here

from photovault.model import Place

MIN_POPULATION = 5000
# Farther than this from any such place (the open sea, the poles) there is no place: the nearest one is elsewhere.
MAX_DISTANCE_KM = 100.0
_QUARTER = re.compile(r"\s+/\s+.*$")  # "Zürich (Kreis 1) / Lindenhof" → "Zürich (Kreis 1)"
_NUMBERED_DISTRICT = re.compile(r"\s*\([^()]*\d[^()]*\)$")  # "Zürich (Kreis 1)" → "Zürich"; "Frankfurt (Oder)" stays


def city_name(name: str) -> str:
    """A GeoNames place name as people say it: a city's numbered district and its quarter read as the city."""
    return _NUMBERED_DISTRICT.sub("", _QUARTER.sub("", name)).strip() or name


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


class OfflineGeocoder:
    def __init__(self, min_population: int = MIN_POPULATION) -> None:
        self._min_population = min_population
        self._lock = threading.Lock()  # the first lookup loads the index (~0.4 s); once per process
        self.name = f"reverse-geocode {version('reverse-geocode')}"

    def place_of(self, latitude: float, longitude: float) -> Place | None:
        with self._lock:
            found = reverse_geocode.get((latitude, longitude), min_population=self._min_population)
        if distance_km(latitude, longitude, float(found["latitude"]), float(found["longitude"])) > MAX_DISTANCE_KM:
            return None
        place = Place(
            city=city_name(str(found.get("city") or "")),
            region=str(found.get("state") or ""),
            country=str(found.get("country") or ""),
            country_code=str(found.get("country_code") or ""),
            geocoder=self.name,
        )
        return place if place.names else None
