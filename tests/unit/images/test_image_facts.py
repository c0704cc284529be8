"""Facts from EXIF: taken_at, camera, GPS, orientation — bogus values become None (or 1), never errors."""

from __future__ import annotations

from PIL import Image

from photovault.images import ImageLimits, validate
from photovault.model import GpsPosition
from tests.unit.images.photos import encode, photo_like


def jpeg_with(exif: Image.Exif, size: tuple[int, int] = (400, 300)) -> bytes:
    return encode(photo_like(*size), "JPEG", exif=exif.tobytes())


def test_taken_at_camera_and_gps_are_read() -> None:
    # Given a phone photo with date, offset, camera and a GPS fix south-west of Greenwich
    exif = Image.Exif()
    exif[0x010F] = "Apple\x00\x00 "
    exif[0x0110] = "  iPhone 15 Pro\x00"
    exif.get_ifd(0x8769).update({0x9003: "2024:07:14 18:30:05", 0x9011: "+02:00"})
    exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 51.0, 54.5), 3: "W", 4: (151.0, 12.0, 36.0), 5: b"\x00", 6: 58.25})
    # When validated
    facts = validate(jpeg_with(exif), ImageLimits()).facts
    # Then the facts are clean and in decimal degrees
    assert facts.taken_at == "2024-07-14T18:30:05+02:00"
    assert facts.camera_make == "Apple"
    assert facts.camera_model == "iPhone 15 Pro"
    assert facts.gps == GpsPosition(latitude=-33.8651389, longitude=-151.21, altitude=58.25)


def test_taken_at_without_offset_is_local_time() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2019:01:02 03:04:05"
    assert validate(jpeg_with(exif), ImageLimits()).facts.taken_at == "2019-01-02T03:04:05"


def test_bogus_metadata_is_dropped_not_fatal() -> None:
    # Given zeroed dates, out-of-range GPS, a bogus orientation and an empty camera name
    exif = Image.Exif()
    exif[0x0112] = 42
    exif[0x010F] = "\x00\x00\x00"
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (91.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)})
    # When validated
    facts = validate(jpeg_with(exif), ImageLimits()).facts
    # Then the photo is accepted with those facts absent
    assert (facts.taken_at, facts.camera_make, facts.gps, facts.orientation) == (None, None, None, 1)


def test_null_island_gps_is_treated_as_no_fix() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)})
    assert validate(jpeg_with(exif), ImageLimits()).facts.gps is None


def test_rotated_photo_reports_upright_dimensions() -> None:
    # Given a landscape-stored JPEG that EXIF says to rotate 90° (orientation 6)
    exif = Image.Exif()
    exif[0x0112] = 6
    facts = validate(jpeg_with(exif, (400, 300)), ImageLimits()).facts
    # Then width/height are as a person sees it
    assert (facts.width, facts.height, facts.orientation) == (300, 400, 6)


def test_heic_rotation_is_reported_and_dimensions_are_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(photo_like(400, 300), "HEIF", quality=60, exif=exif.tobytes())
    validated = validate(data, ImageLimits())
    assert (validated.facts.width, validated.facts.height, validated.facts.orientation) == (300, 400, 6)
    # pillow-heif already turned the pixels: the renditions are upright, not turned a second time
    assert (validated.renditions.preview.width, validated.renditions.preview.height) == (300, 400)
