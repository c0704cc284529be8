"""Photo-like inputs made in code (gradients, hard edges, texture and sensor noise), cached under results/inputs/.

Flat colour would flatter every codec; these images make JPEG, PNG, WebP and HEIC encoders and decoders work about
as hard as on camera photos. Nothing is committed: the first run writes the cache, later runs reuse it.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from benchmarks.common import RESULTS_DIR, log

INPUTS = "inputs"  # sub-folder of the results (work) folder
CACHE_DIR = RESULTS_DIR / INPUTS
GENERATOR_VERSION = 1  # bump when the picture or the encoder settings change: the cache key includes it

SIZES: dict[str, tuple[int, int]] = {
    "1MP": (1152, 864),
    "12MP": (4000, 3000),
    "24MP": (6000, 4000),
}
FORMATS = ("JPEG", "PNG", "WEBP", "HEIC")
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIC": "heic"}


@dataclass(frozen=True, slots=True)
class Input:
    """One generated photo file: ``12MP JPEG`` and so on."""

    size: str
    fmt: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.size} {self.fmt}"

    @property
    def megapixels(self) -> float:
        width, height = dimensions(self.size)
        return width * height / 1e6


def dimensions(size: str) -> tuple[int, int]:
    """Pixel size of a named size; ``WxH`` names are accepted too (the smoke test uses tiny ones)."""
    if size in SIZES:
        return SIZES[size]
    width, height = size.lower().split("x")
    return int(width), int(height)


def photo_like(width: int, height: int, *, seed: int = 11) -> Image.Image:
    """An RGB picture with a photo's statistics: smooth gradients, shapes with hard edges, fine lines and noise."""
    rng = random.Random(seed)
    coarse = Image.new("RGB", (48, 36))
    coarse.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(48 * 36)])
    image = coarse.resize((width, height), Image.Resampling.BICUBIC)  # sky-like gradients
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    for _ in range(30):  # objects: large shapes with sharp outlines
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(2, short // 20), max(3, short // 5))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    for _ in range(120):  # branches, wires, text strokes: thin high-contrast detail
        x, y = rng.randrange(width), rng.randrange(height)
        dx, dy = rng.randrange(-short // 6, short // 6 + 1), rng.randrange(-short // 6, short // 6 + 1)
        shade = rng.randrange(256)
        draw.line((x, y, x + dx, y + dy), fill=(shade, shade, shade), width=max(1, short // 800))
    image = image.filter(ImageFilter.GaussianBlur(max(0.6, short / 3000)))  # lens softness
    noise = Image.effect_noise((width, height), 24).convert("RGB")  # sensor noise and texture
    return Image.blend(image, noise, 0.10)


def encode(image: Image.Image, fmt: str) -> bytes:
    """Encode as a camera or phone would: JPEG q90 with EXIF, PNG level 6, WebP q85, HEIC q85."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "PhotoVault"  # Make
        exif[0x0110] = "Bench Camera"  # Model
        exif[0x0112] = 1  # Orientation
        image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    elif fmt == "PNG":
        image.save(buffer, "PNG", compress_level=6)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=85)
    elif fmt == "HEIC":
        import pillow_heif

        pillow_heif.register_heif_opener()
        # x265's default preset takes a minute per 12 MP photo; "ultrafast" changes the bitstream, not the decoder.
        image.save(buffer, "HEIF", quality=85, enc_params={"preset": "ultrafast"})
    else:
        raise ValueError(f"unknown format {fmt}")
    return buffer.getvalue()


def ensure(size: str, fmt: str, cache_dir: Path = CACHE_DIR) -> Input:
    """The cached input for (size, format), generated on first use."""
    width, height = dimensions(size)
    path = cache_dir / f"v{GENERATOR_VERSION}-{width}x{height}.{_EXTENSIONS[fmt]}"
    if not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        log(f"  generating {size} {fmt} input → {path.name}")
        data = encode(photo_like(width, height), fmt)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return Input(size, fmt, path)
