"""Photo-like test images generated in code (smooth shapes, texture and sensor noise), never committed as files."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageDraw, ImageFilter


def photo_like(width: int, height: int, *, seed: int = 7, mode: str = "RGB") -> Image.Image:
    """A picture with the statistics of a photo (gradients, edges, texture) so codecs behave as on real photos."""
    rng = random.Random(seed)
    small = Image.new("RGB", (64, 48))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(64 * 48)])
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(2, min(width, height) // 16), max(3, min(width, height) // 4))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(1)), noise, 0.12)
    return image if mode == "RGB" else image.convert(mode)


def noise_image(width: int, height: int) -> Image.Image:
    """Full-strength noise: the worst case for a JPEG encoder's output size."""
    return Image.merge("RGB", [Image.effect_noise((width, height), 128).convert("L") for _ in range(3)])


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()
