"""Quick measurement (not a test): validate+render vs naive Pillow (and libvips when importable) on generated photos.

Run: .venv/bin/python tests/unit/images/measure_render.py [runs]
The real benchmark lives in benchmarks/; this is the derivatives author's sanity check.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from photos import encode, photo_like  # noqa: E402

from photovault.images import ImageLimits, render, validate  # noqa: E402


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, float, float]:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def naive(data: bytes) -> None:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    for side in (1600, 256):
        scaled = image.copy()
        scaled.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=None)
        scaled.save(io.BytesIO(), "WEBP")


def project(data: bytes) -> None:
    render(validate(data, ImageLimits()))


def vips_pair(data: bytes) -> Callable[[], None] | None:
    try:
        import pyvips  # type: ignore[import-not-found]
    except ImportError:
        return None

    def run() -> None:
        for side in (1600, 256):
            pyvips.Image.thumbnail_buffer(data, side).webpsave_buffer()

    return run


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    cases = {
        "12MP JPEG": encode(photo_like(4000, 3000), "JPEG", quality=90),
        "24MP JPEG": encode(photo_like(6000, 4000), "JPEG", quality=90),
        "12MP PNG": encode(photo_like(4000, 3000), "PNG", compress_level=6),
        "12MP WebP": encode(photo_like(4000, 3000), "WEBP", quality=85),
    }
    for name, data in cases.items():
        ours = median_seconds(lambda data=data: project(data), runs)
        line = f"{name:10} render {ours[0] * 1000:7.1f} ms ({ours[1] * 1000:.0f}–{ours[2] * 1000:.0f})"
        if name == "12MP JPEG":
            base = median_seconds(lambda data=data: naive(data), runs)
            line += f" | naive {base[0] * 1000:7.1f} ms → {base[0] / ours[0]:.2f}× faster"
        vips = vips_pair(data)
        if vips is not None:
            theirs = median_seconds(vips, runs)
            line += f" | libvips {theirs[0] * 1000:7.1f} ms → ratio {ours[0] / theirs[0]:.2f}"
        print(line)


if __name__ == "__main__":
    main()
