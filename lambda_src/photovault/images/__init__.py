"""Photo validation, decode cost, facts and derivatives (Pillow only, no AWS): ``validate``, one decode per photo.

The names below load on first use, so ``photovault.images.formats`` (the accepted-format list the API uses) can be
imported without Pillow or libheif.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photovault.images.derivatives import ANALYSIS_MAX_BYTES, Renditions
    from photovault.images.limits import ImageLimits
    from photovault.images.validation import ValidatedImage, render, validate

REASON_CODES = (
    "empty_file",
    "file_too_large",
    "unsupported_format",
    "polyglot",
    "corrupt_image",
    "image_too_small",
    "too_many_pixels",
    "decode_cost",
    "decode_timeout",
    "decode_memory",
)

_LAZY = {
    "ANALYSIS_MAX_BYTES": "photovault.images.derivatives",
    "Renditions": "photovault.images.derivatives",
    "ImageLimits": "photovault.images.limits",
    "ValidatedImage": "photovault.images.validation",
    "render": "photovault.images.validation",
    "validate": "photovault.images.validation",
}

__all__ = ["ANALYSIS_MAX_BYTES", "REASON_CODES", "ImageLimits", "Renditions", "ValidatedImage", "render", "validate"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
