"""Places in tests: EXIF GPS written into a JPEG as a camera writes it, and a ``Geocoder`` fake that answers what it is
told (or fails the way Amazon Location can)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import ExifTags, Image

from photovault.errors import Throttled
from photovault.model import Place

ZURICH = (47.3769, 8.5417)  # Zürich's old town, by the Limmat
ZURICH_PLACE = Place(city="Zürich", region="Zurich", country="Switzerland", country_code="CH", geocoder="fake")


def add_gps(exif: Image.Exif, latitude: float, longitude: float) -> None:
    """The GPS IFD of ``exif`` as cameras write it: degrees, minutes, seconds as rationals, and N/S, E/W refs."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = _dms(abs(latitude))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = _dms(abs(longitude))


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def geotagged_jpeg(image: Image.Image, latitude: float, longitude: float) -> bytes:
    """``image`` as a JPEG whose EXIF says where it was taken."""
    exif = Image.Exif()
    add_gps(exif, latitude, longitude)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


@dataclass
class FakeGeocoder:
    """The Geocoder port: ``place`` for every position; ``throttle_times`` throttles first, ``fail_with`` fails."""

    place: Place | None = ZURICH_PLACE
    throttle_times: int = 0
    fail_with: Exception | None = None
    name: str = "fake-geocoder"
    asked: list[tuple[float, float]] = field(default_factory=list)

    def place_of(self, latitude: float, longitude: float) -> Place | None:
        self.asked.append((latitude, longitude))
        if self.throttle_times:
            self.throttle_times -= 1
            raise Throttled("Amazon Location throttled the request (ThrottlingException)")
        if self.fail_with is not None:
            raise self.fail_with
        return self.place
