"""Validate an uploaded file as a photo we accept, decode it once, and read its facts.

The decoded image is kept on the result so derivatives never decode the original a second time.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pi_heif
from PIL import Image

from photovault.errors import ImageRejected
from photovault.images.facts import read_facts, read_orientation
from photovault.images.formats import JPEG, WEBP, check_polyglot, sniff
from photovault.images.geometry import DECODE_SIDE, fit

if TYPE_CHECKING:
    from photovault.model import ImageFacts
    from photovault.settings import Settings


def register_heif_decoder() -> None:
    """HEIC/HEIF decoding through pi-heif: libheif with decoders only (pillow-heif also ships the 11 MB x265
    encoder, which the worker never uses). Thumbnails, depth maps and auxiliary images are never needed."""
    pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


register_heif_decoder()


# Pillow decodes every WebP through its animation decoder at full size, holding ~16 bytes a pixel (JPEG, drafted:
# ~1.5): measured 197 MB of working set at 12 MP. 40 MP keeps a WebP's peak near 650 MB in the 2 GB worker;
# real WebP photos are far smaller (the format's own limit is 16383 px a side).
WEBP_MAX_PIXELS = 40_000_000


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What an upload may be: bytes are checked before any decoding, pixels from the header before allocating."""

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    min_dimension: int = 32

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        return cls(settings.max_upload_bytes, settings.max_pixels, settings.min_dimension)


@dataclass(frozen=True, slots=True)
class ValidatedImage:
    """A photo that passed validation, with its pixels already decoded.

    ``image`` is in stored orientation and, for JPEG, already DCT-scaled to the smallest size that still covers the
    largest rendition; ``orientation`` is the EXIF transform still to apply to it (1 when the decoder did it, as
    pillow-heif does for HEIC). Treat ``image`` as read-only: render() derives new images from it.
    """

    facts: ImageFacts
    image: Image.Image
    orientation: int


def validate(data: bytes, limits: ImageLimits, *, decode_side: int = DECODE_SIDE) -> ValidatedImage:
    """Accept ``data`` as a photo or raise ImageRejected with a stable reason_code and a sentence for a person.

    ``decode_side`` is the largest rendition side the caller will need; JPEGs are decoded no larger than that
    allows (the whole entropy-coded stream is still read, so truncation is caught all the same).
    """
    size = len(data)
    if size == 0:
        raise ImageRejected("empty_file", "This file is empty; nothing was uploaded.")
    if size > limits.max_bytes:
        raise ImageRejected(
            "file_too_large",
            f"This file is {_megabytes(size)}; PhotoVault accepts photos up to {_megabytes(limits.max_bytes)}.",
            details={"size_bytes": size, "max_bytes": limits.max_bytes},
        )
    fmt = sniff(data)
    check_polyglot(data, fmt)

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a would-be bomb is an error here. The filter
        # is process-wide, but the explicit max_pixels check below is the real guard either way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, fmt.plugins)
        width, height = image.size
        max_pixels = min(limits.max_pixels, WEBP_MAX_PIXELS) if fmt is WEBP else limits.max_pixels
        if width * height > max_pixels:
            raise _too_many_pixels(width, height, max_pixels)
        if min(width, height) < limits.min_dimension:
            raise ImageRejected(
                "image_too_small",
                f"This image is {width}×{height} pixels; PhotoVault needs photos at least "
                f"{limits.min_dimension} pixels on each side.",
                details={"width": width, "height": height, "min_dimension": limits.min_dimension},
            )
        if fmt is JPEG:
            # DCT-domain scaling: libjpeg decodes at 1/2, 1/4 or 1/8 size, the largest that still covers the target.
            image.draft(None, fit(width, height, decode_side))
        _load(image)

    orientation = read_orientation(image)
    facts = read_facts(
        image,
        fmt,
        stored_size=(width, height),
        size_bytes=size,
        sha256=hashlib.sha256(data).hexdigest(),
        orientation=orientation,
    )
    return ValidatedImage(facts=facts, image=image, orientation=orientation)


def _open(data: bytes, plugins: tuple[str, ...]) -> Image.Image:
    try:
        # Only the plugin for the sniffed format may open it, so a file cannot be judged as one format and decoded
        # as another.
        return Image.open(io.BytesIO(data), formats=list(plugins))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels_from(exc) from exc
    except Exception as exc:  # any parser failure on hostile bytes is a terminal rejection, never a retry
        raise _corrupt(exc) from exc


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels_from(exc) from exc
    except Exception as exc:  # truncated or malformed data: terminal, the same bytes will never decode
        raise _corrupt(exc) from exc


def _corrupt(exc: Exception) -> ImageRejected:
    return ImageRejected(
        "corrupt_image",
        "This photo is damaged or incomplete and cannot be read; try uploading it again from the original.",
        details={"error": f"{type(exc).__name__}: {exc}"[:300]},
    )


def _too_many_pixels(width: int, height: int, max_pixels: int) -> ImageRejected:
    return ImageRejected(
        "too_many_pixels",
        f"This image is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); PhotoVault accepts photos "
        f"up to {max_pixels / 1e6:.0f} megapixels.",
        details={"width": width, "height": height, "max_pixels": max_pixels},
    )


def _too_many_pixels_from(exc: Exception) -> ImageRejected:
    return ImageRejected(
        "too_many_pixels",
        "This image declares more pixels than PhotoVault will decode; it looks like a decompression bomb.",
        details={"error": str(exc)[:300]},
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
