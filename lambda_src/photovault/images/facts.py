"""Facts read from a photo's own metadata (EXIF): when, with what camera, where, and which way up.

Metadata is optional and often wrong: a bogus value becomes None (or orientation 1), never a rejection.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PIL import ExifTags, Image

from photovault.images.geometry import swaps_axes
from photovault.model import GpsPosition, ImageFacts

if TYPE_CHECKING:
    from photovault.images.formats import ImageFormat

_TAG_ORIENTATION = ExifTags.Base.Orientation
_TAG_MAKE = ExifTags.Base.Make
_TAG_MODEL = ExifTags.Base.Model
_TAG_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
_TAG_OFFSET_TIME_ORIGINAL = ExifTags.Base.OffsetTimeOriginal
_OFFSET = re.compile(r"^[+-](?:0\d|1[0-4]):[0-5]\d$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_TEXT = 64  # camera names are short; a huge value is junk or an attack on whoever displays it


def read_orientation(image: Image.Image) -> int:
    """The EXIF orientation still to apply to the decoded pixels; anything outside 1–8 counts as 1."""
    try:
        value = image.getexif().get(_TAG_ORIENTATION, 1)
    except Exception:  # unreadable EXIF: the pixels are shown as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def read_facts(
    image: Image.Image,
    fmt: ImageFormat,
    *,
    stored_size: tuple[int, int],
    size_bytes: int,
    sha256: str,
    orientation: int,
) -> ImageFacts:
    """ImageFacts for a validated image; ``stored_size`` is the full size before any DCT scaling."""
    width, height = stored_size
    if swaps_axes(orientation):
        width, height = height, width
    # pillow-heif applies HEIC rotation itself and resets EXIF orientation to 1; keep what the camera recorded.
    recorded = image.info.get("original_orientation")
    fact_orientation = recorded if isinstance(recorded, int) and 1 <= recorded <= 8 else orientation
    base: dict[str, Any] = {
        "format": fmt.name,
        "mime_type": fmt.mime_type,
        "width": width,
        "height": height,
        "size_bytes": size_bytes,
        "sha256": sha256,
        "orientation": fact_orientation,
    }
    try:
        exif = image.getexif()
        ifd0 = dict(exif)
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a malformed EXIF block only costs us the optional facts
        return ImageFacts(**base)
    return ImageFacts(
        **base,
        taken_at=_taken_at(exif_ifd.get(_TAG_DATETIME_ORIGINAL), exif_ifd.get(_TAG_OFFSET_TIME_ORIGINAL)),
        camera_make=clean_text(ifd0.get(_TAG_MAKE)),
        camera_model=clean_text(ifd0.get(_TAG_MODEL)),
        gps=gps_position(gps_ifd),
    )


def clean_text(value: object) -> str | None:
    """A printable, trimmed camera string, or None: NUL padding and control characters are common in EXIF."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text[:_MAX_TEXT] or None


def _taken_at(value: object, offset: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00" and friends
        return None
    if not 1826 <= moment.year <= 2200:  # before the first photograph or absurdly far ahead: a broken clock
        return None
    iso = moment.isoformat()
    zone = clean_text(offset)
    return iso + zone if zone is not None and _OFFSET.match(zone) else iso


def gps_position(gps: dict[int, Any]) -> GpsPosition | None:
    """Decimal degrees from an EXIF GPS IFD; None unless both coordinates are present, finite and in range."""
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90.0)
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180.0)
    if latitude is None or longitude is None:
        return None
    if latitude == 0.0 and longitude == 0.0:  # "null island": what receivers without a fix write
        return None
    return GpsPosition(latitude=latitude, longitude=longitude, altitude=_altitude(gps))


def _degrees(value: object, ref: object, positive: str, negative: str, limit: float) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    hemisphere = clean_text(ref)
    plausible = all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds))
    if not plausible or minutes >= 60 or seconds >= 60 or hemisphere not in (positive, negative):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if result > limit:
        return None
    return round(-result if hemisphere == negative else result, 7)


def _altitude(gps: dict[int, Any]) -> float | None:
    try:
        altitude = float(gps[ExifTags.GPS.GPSAltitude])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(altitude) or altitude > 100_000:
        return None
    ref = gps.get(ExifTags.GPS.GPSAltitudeRef, b"\x00")
    below_sea_level = ref in (1, b"\x01")
    return round(-altitude if below_sea_level else altitude, 2)
