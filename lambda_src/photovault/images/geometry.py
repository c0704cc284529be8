"""Rendition sizes and the small geometry helpers shared by validation (decode size) and derivatives."""

from __future__ import annotations

from PIL import Image

THUMB_SIDE = 256
PREVIEW_SIDE = 1600
# The analysis JPEG is the preview's pixels: Rekognition works from 640 px up and Bedrock gets the preview anyway,
# so a separate 1920 px resample would cost a third of the render time for no better labels.
ANALYSIS_SIDE = PREVIEW_SIDE
# The largest rendition decides how small a JPEG may be decoded (DCT scaling) without losing detail.
DECODE_SIDE = max(THUMB_SIDE, PREVIEW_SIDE, ANALYSIS_SIDE)

# EXIF orientation -> the transpose that makes the stored pixels upright (None: already upright).
ORIENTATION_TRANSPOSE: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def fit(width: int, height: int, side: int) -> tuple[int, int]:
    """The size of (width, height) scaled to fit a side×side box, aspect kept, never enlarged."""
    longest = max(width, height)
    if longest <= side:
        return width, height
    scale = side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def swaps_axes(orientation: int) -> bool:
    """Orientations 5–8 rotate by 90°, so the upright width is the stored height."""
    return orientation in (5, 6, 7, 8)
