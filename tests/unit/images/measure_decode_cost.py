"""Calibration (not a test): decode-cost estimate vs measured decode time, for normal photos and for bombs.

Run: PYTHONPATH=lambda_src:. .venv/bin/python tests/unit/images/measure_decode_cost.py [--quick]
Each decode runs in a budgeted child (so a bomb cannot hang this script) and is timed in CPU seconds of that child
(wall clock on a shared machine says more about the neighbours). "decode" is what the worker does (first frame,
JPEG DCT-scaled); "all frames" decodes every frame, as a player would. Normal photos are cached in the temp dir.
"""

from __future__ import annotations

import io
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from photovault.images import ImageLimits, validate
from photovault.images.budget import OverBudget, run_within_budget
from photovault.images.cost import MAX_PIECES
from photovault.images.formats import JPEG, sniff
from photovault.images.geometry import DECODE_SIDE, fit
from photovault.images.structure import read_structure
from photovault.images.validation import decode_and_render
from tests.hostile import corpus
from tests.unit.images.photos import encode, noise_image, photo_like

CACHE = Path(tempfile.gettempdir()) / "photovault-measure-decode"
CAP_SECONDS = 150.0


def cached(name: str, make: Callable[[], bytes]) -> bytes:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / name
    if not path.exists():
        path.write_bytes(make())
    return path.read_bytes()


def normal_photos(quick: bool) -> dict[str, bytes]:
    sizes = {"12MP": (4000, 3000)} if quick else {"12MP": (4000, 3000), "24MP": (6000, 4000), "48MP": (8000, 6000)}
    photos: dict[str, bytes] = {}
    for name, size in sizes.items():
        picture = photo_like(*size)
        photos[f"JPEG {name} baseline q92"] = cached(f"{name}.jpg", lambda p=picture: encode(p, "JPEG", quality=92))
        photos[f"JPEG {name} progressive q92"] = cached(
            f"{name}-p.jpg", lambda p=picture: encode(p, "JPEG", quality=92, progressive=True)
        )
    if not quick:
        noisy = Image.blend(photo_like(6000, 4000, seed=5), noise_image(6000, 4000), 0.35)
        photos["JPEG 24MP q95, noisy (most entropy data)"] = cached(
            "24MP-noisy.jpg", lambda: encode(noisy, "JPEG", quality=95)
        )
        big = photo_like(11500, 8690)
        photos["JPEG 100MP progressive 4:4:4 q95"] = cached(
            "100MP-p444.jpg", lambda: encode(big, "JPEG", quality=95, progressive=True, subsampling=0)
        )
        photos["PNG 50MP"] = cached("50MP.png", lambda: encode(big.resize((8660, 5773)), "PNG", compress_level=6))
    twelve = photo_like(4000, 3000, seed=3)
    photos["HEIC 12MP q85"] = cached("12MP.heic", lambda: encode(twelve, "HEIF", quality=85))
    photos["AVIF 12MP q70"] = cached("12MP.avif", lambda: encode(twelve, "AVIF", quality=70))
    photos["WebP 12MP q85"] = cached("12MP.webp", lambda: encode(twelve, "WEBP", quality=85))
    frames = [photo_like(480, 270, seed=seed).convert("P") for seed in range(300)]
    photos["GIF 480x270, 300 frames"] = cached(
        "300f.gif", lambda: encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=40)
    )
    return photos


def bombs() -> dict[str, bytes]:
    return {
        "JPEG 48MP, 1,000 scans (corpus)": corpus.jpeg_progressive_1000_scans(),
        "JPEG 89MP, 300 empty scans": corpus.jpeg_scan_bomb(10000, 8900, 300, with_data=False),
        "JPEG 89MP, 1,000 empty scans": corpus.jpeg_scan_bomb(10000, 8900, 1000, with_data=False),
        "JPEG 89MP, 3,000 empty scans": corpus.jpeg_scan_bomb(10000, 8900, 3000, with_data=False),
        "JPEG 12MP, 1,000 scans": corpus.jpeg_scan_bomb(4000, 3000, 1000, with_data=True),
        "GIF 16MP screen, 2,000 frames (corpus)": corpus.gif_2000_frames_on_16mp(),
        "WebP 4MP canvas, 5,000 frames (corpus)": corpus.webp_5000_frames_on_4mp(),
        "APNG 4MP, 3,000 frames (corpus)": corpus.apng_3000_frames_on_4mp(),
        "WebP 268MP canvas, 1 pixel (corpus)": corpus.webp_canvas_16384(),
        "PNG 60,000 text chunks (corpus)": corpus.png_60000_text_chunks(),
        "PNG 1,000,000 text chunks": corpus.png_text_chunks(1_000_000),
        "PNG 81MP of zeros (large canvas, tiny data)": corpus.png_zeros(9000, 9000),
    }


def decode(data: bytes, *, all_frames: bool) -> None:
    Image.MAX_IMAGE_PIXELS = None  # measuring what the decoder does, without the checks that refuse it first
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        image.draft(None, fit(*image.size, DECODE_SIDE))
    image.load()
    if all_frames:
        for index in range(1, getattr(image, "n_frames", 1)):
            image.seek(index)
            image.load()


def child_cpu(action: Callable[[], object]) -> str:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        run_within_budget(action, seconds=CAP_SECONDS)
        outcome = ""
    except OverBudget:
        outcome = f" (stopped at {CAP_SECONDS:.0f} s wall)"
    except Exception as exc:  # noqa: BLE001 - a measurement reports what happened
        outcome = f" ({type(exc).__name__})"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return f"{after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime:7.2f} s{outcome}"


def estimate(data: bytes) -> str:
    structure = read_structure(data, sniff(data), max_pieces=MAX_PIECES)
    work = (structure.visits or structure.pixels) * structure.frames
    passes = (structure.visits or structure.pixels) / max(1, structure.pixels)
    return (
        f"{structure.pixels / 1e6:6.1f} MP × {structure.frames:5d} fr × {passes:6.1f} passes = {work / 1e6:9,.0f} Mpx"
        f"  pieces {structure.pieces:6d}"
    )


def fork_overhead(runs: int = 21) -> str:
    """Measured first, while this process is the size of a worker (boto3, Powertools, Pillow, the pipeline loaded)."""
    import boto3  # noqa: F401 - loaded for its weight, as in the worker

    import photovault.pipeline.ingest  # noqa: F401

    data = encode(photo_like(4000, 3000), "JPEG", quality=92)
    limits = ImageLimits()
    actions: dict[str, Callable[[], object]] = {
        "in-process decode+render": lambda: decode_and_render(data, JPEG, limits),
        "validate (forked)": lambda: validate(data, limits),
        "bare fork+exit": lambda: run_within_budget(lambda: None, seconds=10),
    }
    times: dict[str, list[float]] = {name: [] for name in actions}
    cpu: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()
    for _ in range(runs):
        for name, action in actions.items():
            started, cpu_started = time.perf_counter(), _cpu_with_children()
            action()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(_cpu_with_children() - cpu_started)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"fork overhead on a 12 MP JPEG (parent max RSS {rss:.0f} MB, {runs} runs; CPU = parent + child):"]
    lines += [
        f"  {name:26} wall median {statistics.median(times[name]) * 1e3:6.1f} ms (min {min(times[name]) * 1e3:6.1f})"
        f"   CPU median {statistics.median(cpu[name]) * 1e3:6.1f} ms (min {min(cpu[name]) * 1e3:6.1f})"
        for name in actions
    ]
    return "\n".join(lines)


def _cpu_with_children() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    quick = "--quick" in sys.argv
    print(fork_overhead(), flush=True)
    print(f"{'input':44} {'estimate (work = pixels × frames × passes)':76} {'decode CPU':>14} {'all frames CPU':>16}")
    for group in (normal_photos(quick), bombs()):
        for name, data in group.items():
            animated = sniff(data).name in ("GIF", "WEBP", "PNG")
            pipeline = child_cpu(lambda data=data: decode(data, all_frames=False))
            full = child_cpu(lambda data=data: decode(data, all_frames=True)) if animated else ""
            print(f"{name:44} {estimate(data):76} {pipeline:>14} {full:>16}", flush=True)


if __name__ == "__main__":
    main()
