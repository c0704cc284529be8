"""Validate an uploaded file as a photo we accept: check its bytes, judge its decode cost, then decode it once and
make its renditions in a child process held to a wall-clock budget and a memory cap.

Every way a file can fail ends in ImageRejected (terminal: the photo ends REJECTED and is never retried), except
running out of the invocation's own time, which a retry with a fresh invocation fixes.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from PIL import Image

from photovault.errors import ImageRejected
from photovault.images import budget
from photovault.images.cost import MAX_PIECES, check_cost, check_pixels
from photovault.images.derivatives import Renditions, make_renditions
from photovault.images.facts import read_facts, read_orientation
from photovault.images.formats import JPEG, WEBP, ImageFormat, check_polyglot, sniff
from photovault.images.geometry import DECODE_SIDE, fit
from photovault.images.limits import ImageLimits
from photovault.images.structure import read_structure
from photovault.images.webp_scaled import decode_scaled

if TYPE_CHECKING:
    from photovault.model import ImageFacts

__all__ = ["DecodedImage", "Decoder", "ImageLimits", "ValidatedImage", "decode_and_render", "render", "validate"]


@cache
def register_heif_decoder() -> None:
    """HEIC/HEIF decoding through pi-heif: libheif with decoders only (pillow-heif also ships the 11 MB x265
    encoder, which the worker never uses). Thumbnails, depth maps and auxiliary images are never needed.
    Registered with the first HEIF photo (``prepare_pillow``), not at import: most photos are JPEGs."""
    import pi_heif

    pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


@dataclass(frozen=True, slots=True)
class ValidatedImage:
    """A photo that passed validation: its facts and the renditions made from its one decode."""

    facts: ImageFacts
    renditions: Renditions


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """Decoded pixels, inside the child that decoded them (they never cross the pipe: only renditions do).

    ``image`` is in stored orientation and, for JPEG, already DCT-scaled to the smallest size that still covers the
    largest rendition; ``orientation`` is the EXIF transform still to apply to it (1 when the decoder did it, as
    pillow-heif does for HEIC). Treat ``image`` as read-only.
    """

    facts: ImageFacts
    image: Image.Image
    orientation: int


# What runs in the budgeted child: bytes already sniffed and costed in, a validated photo (or ImageRejected) out.
Decoder = Callable[[bytes, ImageFormat, ImageLimits], ValidatedImage]


def validate(
    data: bytes, limits: ImageLimits, *, deadline: float | None = None, decoder: Decoder | None = None
) -> ValidatedImage:
    """Accept ``data`` as a photo or raise ImageRejected with a stable reason_code and a sentence for a person.

    ``deadline`` (a time.monotonic() instant) is when the caller's own time runs out: the decode gets the smaller of
    its budget and what is left, and if the deadline (not the budget) stops it, TimeoutError says to retry later.
    ``decoder`` replaces decode_and_render (tests inject slow or failing decoders); it runs under the same budget.
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
    structure = read_structure(data, fmt, max_pieces=MAX_PIECES)
    check_cost(structure, fmt, limits)
    check_polyglot(data, fmt, structure.end)
    prepare_pillow(fmt)
    return _decode_within_budget(data, fmt, limits, deadline, decoder or decode_and_render)


# Pillow's plugin module per sniffed format (HEIF is pi-heif's: register_heif_decoder).
_PLUGIN_MODULES = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "GIF": "GifImagePlugin"}
_PLUGIN_MODULES |= {"WEBP": "WebPImagePlugin", "AVIF": "AvifImagePlugin"}


@cache
def prepare_pillow(fmt: ImageFormat) -> None:
    """Register, in this process, the Pillow plugins the decode child will use: ``fmt``'s and the outputs' (WebP, JPEG).

    Pillow registers plugins lazily: a format outside its five preloaded ones (WebP, the renditions' format) makes
    the first save call Image.init(), which imports every plugin it has (~100 ms). Done in the forked child, that
    work was thrown away with the child and paid again for every photo (a third of a 12 MP JPEG's time); done here
    it is paid once per warm process, and not at cold start (only when a photo comes)."""
    Image.preinit()
    if "HEIF" in fmt.plugins:
        register_heif_decoder()
    for name in {*fmt.plugins, "WEBP", "JPEG"}:
        if name in _PLUGIN_MODULES:
            importlib.import_module(f"PIL.{_PLUGIN_MODULES[name]}")


def render(validated: ValidatedImage) -> Renditions:
    """The renditions validate made in the same budgeted decode (there is no second decode to do)."""
    return validated.renditions


@dataclass(frozen=True, slots=True)
class _Refusal:
    """An ImageRejected carried out of the child as plain data (the exception itself does not survive pickling)."""

    reason_code: str
    message: str
    details: dict[str, Any]


def _decode_within_budget(
    data: bytes, fmt: ImageFormat, limits: ImageLimits, deadline: float | None, decoder: Decoder
) -> ValidatedImage:
    seconds = limits.decode_budget_seconds
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
        if seconds <= 0:
            raise TimeoutError("no time left in this invocation to open the photo; a later delivery will")

    def attempt() -> ValidatedImage | _Refusal:
        try:
            return decoder(data, fmt, limits)
        except ImageRejected as rejected:
            return _Refusal(rejected.reason_code, rejected.message, rejected.details)

    try:
        outcome = budget.run_within_budget(attempt, seconds=seconds, memory_bytes=limits.decode_memory_bytes)
    except budget.OverBudget as over:
        if seconds < limits.decode_budget_seconds:  # the caller's deadline stopped it, not the photo's own budget
            raise TimeoutError(f"the invocation's time ran out after {over.seconds:.1f} s of decoding") from over
        raise ImageRejected(
            "decode_timeout",
            f"This file took longer than {limits.decode_budget_seconds:.0f} seconds to open and was stopped; it may "
            "be damaged or built to stall image decoders.",
            details={"budget_seconds": limits.decode_budget_seconds},
        ) from over
    except budget.OutOfMemory as exc:
        raise ImageRejected(
            "decode_memory",
            f"This file needs more than {limits.decode_memory_bytes // (1024 * 1024):,} MB of memory to open; it "
            "may be damaged or built to exhaust image decoders.",
            details={"memory_bytes": limits.decode_memory_bytes, "error": str(exc)[:300]},
        ) from exc
    except budget.ChildCrashed as crashed:
        raise _corrupt(crashed) from crashed
    if isinstance(outcome, _Refusal):
        raise ImageRejected(outcome.reason_code, outcome.message, details=outcome.details)
    return outcome


def decode_and_render(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    """Decode ``data`` once (JPEG DCT-scaled to what the renditions need), read its facts and make its renditions."""
    decoded = decode(data, fmt, limits)
    return ValidatedImage(decoded.facts, make_renditions(decoded))


def decode(data: bytes, fmt: ImageFormat, limits: ImageLimits, *, decode_side: int = DECODE_SIDE) -> DecodedImage:
    """The decoded pixels and facts of ``data``; JPEGs are decoded no larger than ``decode_side`` needs (the whole
    entropy-coded stream is still read, so truncation is caught all the same)."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a would-be bomb is an error here. The filter
        # is process-wide, but the explicit pixel check below is the real guard either way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, fmt.plugins)
        width, height = image.size
        check_pixels(width, height, fmt, limits)
        if min(width, height) < limits.min_dimension:
            raise ImageRejected(
                "image_too_small",
                f"This image is {width}×{height} pixels; PhotoVault needs photos at least "
                f"{limits.min_dimension} pixels on each side.",
                details={"width": width, "height": height, "min_dimension": limits.min_dimension},
            )
        pixels = _scaled_webp(data, image, fit(width, height, decode_side)) if fmt is WEBP else None
        if pixels is None:
            if fmt is JPEG:
                # DCT-domain scaling: libjpeg decodes at 1/2, 1/4 or 1/8 size, the largest that covers the target.
                image.draft(None, fit(width, height, decode_side))
            _load(image)
            pixels = image

    orientation = read_orientation(image)
    facts = read_facts(
        image,
        fmt,
        stored_size=(width, height),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        orientation=orientation,
    )
    return DecodedImage(facts=facts, image=pixels, orientation=orientation)


def _scaled_webp(data: bytes, opened: Image.Image, size: tuple[int, int]) -> Image.Image | None:
    """A still WebP decoded by libwebp straight to ``size`` (Pillow has no draft mode for WebP and would hold the
    full-size canvas twice), carrying the opened file's metadata (ICC profile, EXIF) like a Pillow decode; None for
    an animation or whatever libwebp refuses, which Pillow then decodes (and judges) as before."""
    if getattr(opened, "is_animated", False) or size == opened.size:
        return None
    pixels = decode_scaled(data, size, has_alpha=opened.mode == "RGBA")
    if pixels is not None:
        pixels.info.update(opened.info)
    return pixels


def _open(data: bytes, plugins: tuple[str, ...]) -> Image.Image:
    try:
        # Only the plugin for the sniffed format may open it, so a file cannot be judged as one format and decoded
        # as another.
        return Image.open(io.BytesIO(data), formats=list(plugins))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels_from(exc) from exc
    except Exception as exc:  # any parser failure on hostile bytes is a terminal rejection, never a retry
        raise _corrupt_or_out_of_memory(exc) from exc


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels_from(exc) from exc
    except Exception as exc:  # truncated or malformed data: terminal, the same bytes will never decode
        raise _corrupt_or_out_of_memory(exc) from exc


def _corrupt_or_out_of_memory(exc: Exception) -> Exception:
    """MemoryError (the budget runner reports it as decode_memory) when the decoder ran out of memory, else corrupt.

    Under the memory cap Pillow raises MemoryError itself, but libheif and libavif report a failed allocation (or
    their own memory limits) as an error of their own ("Memory allocation error"); libjpeg's is indistinguishable
    from bad data and stays corrupt_image.
    """
    if isinstance(exc, MemoryError) or "memory" in str(exc).lower():
        return MemoryError(str(exc))
    return _corrupt(exc)


def _corrupt(exc: Exception) -> ImageRejected:
    return ImageRejected(
        "corrupt_image",
        "This photo is damaged or incomplete and cannot be read; try uploading it again from the original.",
        details={"error": f"{type(exc).__name__}: {exc}"[:300]},
    )


def _too_many_pixels_from(exc: Exception) -> ImageRejected:
    return ImageRejected(
        "too_many_pixels",
        "This image declares more pixels than PhotoVault will decode; it looks like a decompression bomb.",
        details={"error": str(exc)[:300]},
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
