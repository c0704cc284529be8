"""Validation: what is accepted, what is refused, and why (reason codes a person can read)."""

from __future__ import annotations

import io
import struct
import tracemalloc

import pytest
from PIL import Image, ImageChops, ImageStat

from photovault.errors import ImageRejected
from photovault.images import REASON_CODES, ImageLimits, validate, webp_scaled
from photovault.images.formats import JPEG, WEBP
from photovault.images.validation import decode
from tests.unit.images.photos import encode, photo_like

LIMITS = ImageLimits(max_bytes=5_000_000, max_pixels=40_000_000, min_dimension=32)


def rejection(data: bytes, limits: ImageLimits = LIMITS) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        validate(data, limits)
    assert caught.value.reason_code in REASON_CODES
    assert caught.value.message.endswith(".")
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "params", "expected_format", "expected_mime"),
    [
        ("JPEG", {"quality": 85}, "JPEG", "image/jpeg"),
        ("PNG", {}, "PNG", "image/png"),
        ("WEBP", {"quality": 80}, "WEBP", "image/webp"),
        ("GIF", {}, "GIF", "image/gif"),
        ("HEIF", {"quality": 60}, "HEIF", "image/heic"),
        ("AVIF", {"quality": 60}, "AVIF", "image/avif"),
    ],
)
def test_every_accepted_format_validates_with_facts(
    fmt: str, params: dict[str, int], expected_format: str, expected_mime: str
) -> None:
    # Given a photo in an accepted format
    data = encode(photo_like(400, 300), fmt, **params)
    # When it is validated
    validated = validate(data, LIMITS)
    # Then its format comes from the bytes and its facts describe it
    assert validated.facts.format == expected_format
    assert validated.facts.mime_type == expected_mime
    assert (validated.facts.width, validated.facts.height) == (400, 300)
    assert validated.facts.size_bytes == len(data)
    assert len(validated.facts.sha256) == 64


def test_empty_file_is_refused_before_anything_else() -> None:
    assert rejection(b"").reason_code == "empty_file"


def test_oversize_file_is_refused_by_byte_count_without_decoding() -> None:
    # Given bytes over the limit that would not even decode
    data = b"\xff\xd8\xff" + b"\x00" * 100
    # When validated against a smaller limit
    error = rejection(data, ImageLimits(max_bytes=50))
    # Then the size is the reason, stated in MB
    assert error.reason_code == "file_too_large"
    assert "MB" in error.message


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (encode(photo_like(64, 64), "TIFF"), "TIFF"),
        (encode(photo_like(64, 64), "BMP"), "BMP"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "PostScript"),
        (b"%PDF-1.4\n", "PDF"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"  <!doctype html><p>hi", "HTML"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video"),
    ],
)
def test_other_formats_are_refused_with_a_sentence_naming_them(data: bytes, detected: str) -> None:
    error = rejection(data)
    assert error.reason_code == "unsupported_format"
    assert detected in error.message
    assert "PhotoVault accepts JPEG, PNG, WebP, GIF, HEIC and AVIF photos." in error.message


def test_truncated_jpeg_is_corrupt_even_though_only_a_scaled_decode_is_done() -> None:
    # Given a large JPEG (decoded at 1/2 scale by validation) cut short
    data = encode(photo_like(4000, 3000), "JPEG", quality=85)
    # When validated, Then the missing entropy-coded data is noticed
    assert rejection(data[: len(data) - 20_000]).reason_code == "corrupt_image"


def test_too_small_image_is_refused() -> None:
    error = rejection(encode(photo_like(31, 200), "PNG"))
    assert error.reason_code == "image_too_small"
    assert "31×200" in error.message


def test_pixel_limit_is_enforced_from_the_header() -> None:
    # Given a 7000×7000 JPEG header (49 MP) under a 40 MP limit
    data = bytearray(encode(photo_like(64, 64), "JPEG"))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 7000, 7000)
    # Then it is refused as too many pixels
    assert rejection(bytes(data)).reason_code == "too_many_pixels"


def test_decompression_bomb_is_refused_without_allocating_its_pixels() -> None:
    # Given a PNG whose header claims 60000×60000 (10.8 GB of RGB)
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    import zlib

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 99)) + chunk(b"IEND", b"")
    )
    # When validated under generous limits, tracing allocations
    tracemalloc.start()
    try:
        error = rejection(data, ImageLimits(max_pixels=10**12))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then Pillow's bomb guard (a warning turned error) refuses it and nothing image-sized was allocated
    assert error.reason_code == "too_many_pixels"
    assert peak < 5_000_000


def test_bomb_warning_range_is_an_error_not_a_warning() -> None:
    # Given an image between Pillow's MAX_IMAGE_PIXELS and twice that (Pillow would only warn)
    pixels = Image.MAX_IMAGE_PIXELS or 89_478_485
    side = int((pixels * 1.2) ** 0.5)
    data = bytearray(encode(photo_like(64, 64), "JPEG"))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", side, side)
    # Then it is refused even though our own limit would allow it
    assert rejection(bytes(data), ImageLimits(max_pixels=10**12)).reason_code == "too_many_pixels"


def test_a_file_is_judged_by_its_bytes_not_its_name() -> None:
    # Given PNG bytes (the caller's name/type claims are never consulted)
    validated = validate(encode(photo_like(64, 64), "PNG"), LIMITS)
    assert validated.facts.format == "PNG"


@pytest.mark.parametrize(
    "trailer",
    [
        b"<script>alert(1)</script>",
        b"PK\x05\x06" + b"\x00" * 18,  # the smallest ZIP: an end-of-central-directory record
        bytes(range(256)) * 8,  # unexplained data
    ],
)
def test_data_hidden_after_the_image_is_refused_as_polyglot(trailer: bytes) -> None:
    data = encode(photo_like(128, 96), "JPEG") + trailer
    assert rejection(data).reason_code == "polyglot"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_polyglot_rule_applies_to_png_and_webp_too(fmt: str) -> None:
    data = encode(photo_like(128, 96), fmt) + b"<html><body>hi</body></html>" + b"x" * 200
    assert rejection(data).reason_code == "polyglot"


def test_known_camera_trailers_are_not_polyglots() -> None:
    # Given a JPEG followed by a second JPEG (MPF / gain map) and one followed by a motion-photo MP4
    first = encode(photo_like(128, 96), "JPEG")
    gain_map = first + encode(photo_like(64, 48, seed=2), "JPEG")
    motion = first + struct.pack(">I", 24) + b"ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 64
    # Then both are accepted
    assert validate(gain_map, LIMITS).facts.format == "JPEG"
    assert validate(motion, LIMITS).facts.format == "JPEG"


def test_jpeg_is_decoded_no_larger_than_the_largest_rendition_needs() -> None:
    # Given a 12 MP JPEG
    decoded = decode(encode(photo_like(4000, 3000), "JPEG"), JPEG, LIMITS)
    # Then it is decoded DCT-scaled (2000×1500 covers the 1600 px preview), yet facts give the full size
    assert decoded.image.size == (2000, 1500)
    assert (decoded.facts.width, decoded.facts.height) == (4000, 3000)


def test_webp_is_decoded_straight_to_the_size_the_renditions_need() -> None:
    # Given a 12 MP WebP with a colour profile and an EXIF orientation
    picture = photo_like(4000, 3000)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(picture, "WEBP", quality=90, icc_profile=b"profile-bytes", exif=exif.tobytes())
    decoded = decode(data, WEBP, LIMITS)
    # Then libwebp scaled it while decoding: the full-size canvas never existed, facts still give the full size
    assert webp_scaled.available()
    assert decoded.image.size == (1600, 1200)
    assert (decoded.facts.width, decoded.facts.height) == (3000, 4000)
    assert (decoded.orientation, decoded.image.info["icc_profile"]) == (6, b"profile-bytes")
    # And the pixels are the picture's: close to a full decode resized with Lanczos
    reference = Image.open(io.BytesIO(data)).convert("RGB").resize((1600, 1200), Image.Resampling.LANCZOS)
    assert max(ImageStat.Stat(ImageChops.difference(decoded.image, reference)).mean) < 3


def test_scaled_webp_keeps_transparency() -> None:
    picture = photo_like(2400, 1800, mode="RGBA")
    picture.putalpha(Image.linear_gradient("L").resize(picture.size))
    decoded = decode(encode(picture, "WEBP", lossless=True), WEBP, LIMITS)
    assert (decoded.image.mode, decoded.image.size) == ("RGBA", (1600, 1200))
    top, bottom = decoded.image.getpixel((800, 5))[3], decoded.image.getpixel((800, 1195))[3]
    assert top < 16 and bottom > 240


def test_truncated_webp_is_corrupt_through_the_scaled_decode_too() -> None:
    data = encode(photo_like(4000, 3000), "WEBP", quality=80)
    assert rejection(data[: len(data) - 20_000]).reason_code == "corrupt_image"


def test_animated_webp_is_decoded_by_pillow_first_frame() -> None:
    # Given an animation (libwebp's still decoder refuses those), Then its first frame is what the renditions use
    frames = [Image.new("RGB", (2000, 1500), colour) for colour in ((200, 10, 10), (10, 10, 200))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    decoded = decode(buffer.getvalue(), WEBP, LIMITS)
    assert decoded.image.size == (2000, 1500)
    assert decoded.image.convert("RGB").getpixel((5, 5)) == (200, 10, 10)


def test_limits_come_from_settings() -> None:
    from photovault.settings import Settings

    settings = Settings.from_env(
        {"TABLE_NAME": "t", "ORIGINALS_BUCKET": "o", "DERIVATIVES_BUCKET": "d", "MAX_UPLOAD_BYTES": "1234"}
    )
    assert ImageLimits.from_settings(settings) == ImageLimits(1234, 100_000_000, 32)


def test_a_webp_larger_than_its_own_pixel_cap_is_refused() -> None:
    from photovault.images.cost import WEBP_MAX_PIXELS

    # Given a WebP just over the WebP cap (its decoder holds ~16 bytes a pixel) but under the general cap
    side = int(WEBP_MAX_PIXELS**0.5) + 8
    data = encode(Image.new("RGB", (side, side), (10, 120, 200)), "WEBP", quality=10)
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits(max_pixels=100_000_000))
    assert rejected.value.reason_code == "too_many_pixels"
    assert "40 megapixels" in rejected.value.message
    # A JPEG of the same size is fine: the cap is the WebP decoder's, not a general one
    jpeg = encode(Image.new("RGB", (side, side), (10, 120, 200)), "JPEG", quality=10)
    assert validate(jpeg, ImageLimits(max_pixels=100_000_000)).facts.width == side
