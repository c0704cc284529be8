"""Photo validation, facts and derivatives (Pillow only, no AWS): ``validate`` then ``render``, one decode per photo."""

from photovault.images.derivatives import ANALYSIS_MAX_BYTES, Renditions, render, render_analysis_jpeg
from photovault.images.validation import ImageLimits, ValidatedImage, validate

REASON_CODES = (
    "empty_file",
    "file_too_large",
    "unsupported_format",
    "polyglot",
    "corrupt_image",
    "image_too_small",
    "too_many_pixels",
)

__all__ = [
    "ANALYSIS_MAX_BYTES",
    "REASON_CODES",
    "ImageLimits",
    "Renditions",
    "ValidatedImage",
    "render",
    "render_analysis_jpeg",
    "validate",
]
