"""Decode the analyzer's JPEG input once per call, at no more resolution than that call needs."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageOps

from photovault.errors import ImageRejected, InvalidInput

MAX_INPUT_BYTES = 5 * 1024 * 1024  # Rekognition's limit for inline image bytes; the local stand-in keeps it


def open_rgb(data: bytes, max_side: int | None = None) -> Image.Image:
    """The image upright in RGB, its long side at most ``max_side`` (aspect kept)."""
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInput(f"image bytes exceed {MAX_INPUT_BYTES} bytes", details={"size": len(data)})
    try:
        source = Image.open(io.BytesIO(data))
        if max_side is not None and max(source.size) > max_side:
            # JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale directly: far cheaper than decode-then-resize.
            # It never goes below the requested size, so ask for the target size with the aspect kept.
            scale = max_side / max(source.size)
            source.draft("RGB", (math.ceil(source.width * scale), math.ceil(source.height * scale)))
        image = ImageOps.exif_transpose(source).convert("RGB")
    except Exception as exc:  # any decoder failure means these bytes will never analyse: not retryable
        raise ImageRejected(
            "corrupt_image",
            "This photo could not be decoded for analysis.",
            details={"error": f"{type(exc).__name__}: {exc}"[:300]},
        ) from exc
    if max_side is not None and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image
