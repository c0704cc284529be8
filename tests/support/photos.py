"""Test photos drawn in code (nothing binary is committed)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def portrait(shade: int = 0) -> bytes:
    """A face-like portrait (the offline face detector finds it: labels Face and Person, so facets are counted).
    ``shade`` changes the backdrop, so two portraits have different bytes (no DUPLICATE between them)."""
    image = Image.new("RGB", (768, 1024), (70 + shade, 110, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse([204, 180, 564, 420], fill=(60, 40, 30))  # hair
    draw.rectangle([250, 640, 518, 1024], fill=(40, 60, 90))  # shoulders
    draw.ellipse([224, 240, 544, 680], fill=(229, 189, 160))  # face
    for cx in (314, 454):
        draw.ellipse([cx - 38, 390, cx + 38, 430], fill=(255, 255, 255))
        draw.ellipse([cx - 15, 395, cx + 15, 425], fill=(50, 35, 25))
        draw.line([(cx - 45, 365), (cx + 45, 360)], fill=(60, 40, 30), width=9)
    draw.polygon([(384, 430), (360, 530), (408, 530)], fill=(205, 160, 135))
    draw.arc([314, 520, 454, 610], start=15, end=165, fill=(160, 60, 60), width=10)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
