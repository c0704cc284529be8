"""What opening a file will cost, judged from its structure before decoding, and the refusals when it is too much.

The cost model is the work a decoder does: pixels × frames × passes, where a pass is one trip over the image (a
baseline JPEG makes 1.5 with its chroma, libjpeg's progressive script 8, a 4:4:4 progressive one 14; a progressive
JPEG bomb makes hundreds). Measured in CPU seconds on generated files (tests/unit/images/measure_decode_cost.py):
libjpeg walks scan work at ~0.2 ns a sample (48 MP × 1,000 scans: 24 billion samples, 4.8 s; 89 MP × 3,000 empty
scans: 134 billion, 25.7 s, from a 30 KB file), so the default limit of 4 billion is under a second of it, while
the largest normal photo (100 MP progressive 4:4:4) needs 1.4 billion and decodes in 2.5 s. Animations are judged by
all their frames although the worker decodes only the first: a file that takes a player minutes to go through is
out of proportion for a photo (a GIF of 2,000 one-pixel frames on a 16 MP screen: 43 s of CPU to decode in full).
Files split into more than ``MAX_PIECES`` pieces are refused too: Pillow reads PNG chunks and GIF blocks one by one
in Python (a PNG of a million tiny chunks: 6.5 s), so a 50 MB file of them would take tens of seconds to open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from photovault.errors import ImageRejected
from photovault.images.formats import WEBP, ImageFormat

if TYPE_CHECKING:
    from photovault.images.limits import ImageLimits
    from photovault.images.structure import Structure

# Segments, chunks, blocks or boxes: real photos have tens to a few thousand (a 50 MB PNG in 8 KB IDAT chunks has
# ~6,400; a GIF two per frame), and 50,000 PNG chunks take Pillow ~0.4 s to walk.
MAX_PIECES = 50_000
# Passes over the image a normal photo needs (libjpeg's progressive script: 8; 4:4:4: 14), for the sentence.
NORMAL_PASSES = 15
# Pillow's WebP decoder holds ~16 bytes a pixel (JPEG, drafted: ~1.5): measured 197 MB of working set at 12 MP.
# 40 MP keeps a WebP's peak near 650 MB; real WebP photos are far smaller (the format's own limit is 16383 px a side).
WEBP_MAX_PIXELS = 40_000_000

_STALL = "PhotoVault refuses files built to stall image decoders."


def check_cost(structure: Structure, fmt: ImageFormat, limits: ImageLimits) -> None:
    """Refuse, before any decoding, a file whose declared size or decode work is out of proportion for a photo."""
    if structure.pieces > MAX_PIECES:
        raise ImageRejected(
            "decode_cost",
            f"This file would take too long to open: it is split into more than {MAX_PIECES:,} pieces, where a "
            f"photo has at most a few thousand. {_STALL}",
            details={"pieces": structure.pieces, "max_pieces": MAX_PIECES},
        )
    if not structure.pixels:
        return  # size unknown from the header: the decoder reads it, and its checks and budget apply
    check_pixels(structure.width, structure.height, fmt, limits)
    visits = structure.visits or structure.pixels
    work = visits * structure.frames
    if work <= limits.max_decode_work:
        return
    details = {
        "width": structure.width,
        "height": structure.height,
        "frames": structure.frames,
        "scans": structure.scans,
        "work": work,
        "max_work": limits.max_decode_work,
    }
    megapixels = _megapixels(structure.pixels)
    if structure.frames > 1:
        raise ImageRejected(
            "decode_cost",
            f"This file would take too long to open: it is an animation of {structure.frames:,} frames of "
            f"{megapixels} megapixels ({work / 1e6:,.0f} megapixels in all, where PhotoVault opens at most "
            f"{limits.max_decode_work / 1e6:,.0f}). {_STALL}",
            details=details,
        )
    passes = visits / structure.pixels
    raise ImageRejected(
        "decode_cost",
        f"This file would take too long to open: its {structure.scans:,} scans make the decoder go over its "
        f"{megapixels} megapixels {passes:,.0f} times, where a photo needs at most about {NORMAL_PASSES}. {_STALL}",
        details=details,
    )


def check_pixels(width: int, height: int, fmt: ImageFormat, limits: ImageLimits) -> None:
    """Refuse more pixels than we decode: from the header before decoding, and again from what the decoder read."""
    max_pixels = min(limits.max_pixels, WEBP_MAX_PIXELS) if fmt is WEBP else limits.max_pixels
    if width * height > max_pixels:
        raise ImageRejected(
            "too_many_pixels",
            f"This image is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); PhotoVault accepts "
            f"photos up to {max_pixels / 1e6:.0f} megapixels.",
            details={"width": width, "height": height, "max_pixels": max_pixels},
        )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.1f}" if pixels < 10_000_000 else f"{pixels / 1e6:.0f}"
