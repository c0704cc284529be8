"""The place step: a photo's GPS position into city, region and country, with throttling retried like analysis.

A photo never fails for want of a place: when the geocoder stays unavailable past the deadline (or answers something
unusable), the photo is still READY without one and its provenance says why, so ``make reprocess ARGS="--steps
place"`` can add it later without repeating the paid analyses.
"""

from __future__ import annotations

from dataclasses import dataclass

from photovault.errors import PhotoVaultError
from photovault.model import GpsPosition, Place
from photovault.pipeline.analysis import CallStats, RetryPolicy, call_with_retry
from photovault.ports import Geocoder


@dataclass(frozen=True, slots=True)
class PlaceRun:
    """The outcome of naming one photo's place, with the billable requests it took."""

    place: Place | None  # None: no place (``error`` says why, or the index knows nothing there)
    retries: int
    error: str | None = None
    requests: int = 0  # billable geocoder requests

    def provenance(self, geocoder: Geocoder) -> dict[str, object]:
        """What the photo's provenance records about this step."""
        if self.error is not None:
            return {"geocoder": geocoder.name, "geocoding_error": self.error}
        return {"geocoder": self.place.geocoder if self.place else geocoder.name}


def find_place(geocoder: Geocoder, gps: GpsPosition, *, deadline: float, policy: RetryPolicy) -> PlaceRun:
    """Reverse-geocode ``gps``; any failure ends as a recorded error, never as a failed photo."""
    stats = CallStats()
    try:
        place = call_with_retry(
            lambda: geocoder.place_of(gps.latitude, gps.longitude), deadline=deadline, policy=policy, stats=stats
        )
    except Exception as exc:  # any failure: the photo is READY without a place; provenance keeps the reason
        code = exc.code if isinstance(exc, PhotoVaultError) else type(exc).__name__
        return PlaceRun(place=None, retries=stats.retries, error=f"{code}: {exc}"[:300], requests=stats.retries + 1)
    return PlaceRun(place=place, retries=stats.retries, requests=stats.retries + 1)
