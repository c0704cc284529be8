"""Test photos drawn in code (nothing binary is committed)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def portrait(shade: int = 0) -> bytes:
    """A real portrait (scikit-image's astronaut photograph: the offline face detector finds her one face, so the
    labels Face and Person are indexed and facets counted; a drawn face is no longer taken for one). ``shade``
    changes a corner, so two portraits have different bytes (no DUPLICATE between them)."""
    from skimage import data

    image = Image.fromarray(data.astronaut())
    if shade:
        ImageDraw.Draw(image).rectangle([0, 0, 15, 15], fill=(shade % 256, 110, 160))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
