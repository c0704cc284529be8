"""Derivatives of a decoded photo: WebP thumb and preview for people, a JPEG rendition for the analysers.

All three come from the one decode validation does (in its budgeted child process): the preview-sized working
image is made once (colour-managed to sRGB, turned upright), the thumb is scaled from it, and no metadata is ever
written out.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageCms

from photovault.images.geometry import ORIENTATION_TRANSPOSE, PREVIEW_SIDE, THUMB_SIDE, fit
from photovault.model import BoundingBox, Derivative

if TYPE_CHECKING:
    from photovault.images.validation import DecodedImage

# WebP method 2 is ~3× faster than 3–4 for ~5 % larger files at the same quality (measured on 12 MP photos);
# method ≥ 3 switches on the slow rate-distortion search, which previews do not need.
WEBP_QUALITY = 80
WEBP_METHOD = 2
ANALYSIS_QUALITY = 88
# Rekognition takes at most 5 MB of image bytes; stay clearly below it.
ANALYSIS_MAX_BYTES = 5_000_000
_ANALYSIS_QUALITY_STEPS = (ANALYSIS_QUALITY, 80, 70, 60)
_LANCZOS = Image.Resampling.LANCZOS
# reducing_gap=1.0 box-reduces by the whole factor first (cheap, and a proper average), leaving Lanczos at most a
# 2× residual: the shrink-then-reduce libvips does, with the quality of a full Lanczos at a fraction of its cost.
_REDUCING_GAP = 1.0
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_thumb_pool: ThreadPoolExecutor | None = None


def _side_pool() -> ThreadPoolExecutor:
    """One thread for the small outputs, made in the process that uses it: render runs in a forked child, which
    inherits the parent's executor object but none of its threads (work submitted there would never run)."""
    global _thumb_pool  # noqa: PLW0603 - one lazily made pool per process
    if _thumb_pool is None:
        _thumb_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photovault-thumb")
    return _thumb_pool


def _forget_pool_in_child() -> None:
    global _thumb_pool  # noqa: PLW0603
    _thumb_pool = None


os.register_at_fork(after_in_child=_forget_pool_in_child)


@dataclass(frozen=True, slots=True)
class Renditions:
    """What the pipeline stores and sends on: ``thumb`` and ``preview`` (WebP) and ``analysis_jpeg`` (JPEG)."""

    thumb: Derivative
    preview: Derivative
    analysis_jpeg: Derivative


def make_renditions(decoded: DecodedImage, *, analysis_max_bytes: int = ANALYSIS_MAX_BYTES) -> Renditions:
    """Thumb (fits 256 px) and preview (fits 1600 px) as WebP, and a JPEG ≤ ``analysis_max_bytes`` for analysis.

    All upright, sRGB, with no EXIF, GPS, XMP or ICC data.
    """
    working = upright_working_image(decoded, PREVIEW_SIDE)
    # Pillow releases the GIL while resizing and encoding, so the thumb is made beside the preview. The analysis JPEG
    # follows the preview in this thread: Image.save() stores its parameters on the image object, so saving the
    # same object from two threads at once would need a copy (7.7 MB at 1600 px, more than the encode's ~5 ms).
    thumb = _side_pool().submit(_thumb, working)
    preview = _webp("preview", working)
    analysis = analysis_jpeg(working, max_bytes=analysis_max_bytes)
    return Renditions(thumb=thumb.result(), preview=preview, analysis_jpeg=analysis)


def upright_working_image(decoded: DecodedImage, side: int) -> Image.Image:
    """The decoded pixels scaled to fit ``side``, in an 8-bit display mode (RGB, RGBA or L), sRGB and upright."""
    image, icc_profile = _display_mode(decoded.image)
    size = fit(*image.size, side)
    if size != image.size:
        image = _resize_in_bands(image, size)
    if icc_profile:
        # After the downscale: colour conversion costs per pixel, and the preview has a fraction of the original's.
        image = _to_srgb(image, icc_profile)
    transpose = ORIENTATION_TRANSPOSE.get(decoded.orientation)
    if transpose is not None:
        image = image.transpose(transpose)
    if image is decoded.image:
        image = image.copy()  # never mutate the decoded image: renditions may be made again
    image.info.clear()  # nothing read from the original (EXIF, XMP, ICC, comments) travels onwards
    return image


def _resize_in_bands(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image.resize(size, LANCZOS, reducing_gap=1.0)``, its Lanczos pass split into two bands of rows made at once.

    The resize is the longest step before the preview's encode (≈50 ms of a 12 MP JPEG's ≈140) and Pillow does it on
    one core with the GIL released. A band is the same resize restricted to a box of source rows: Pillow computes
    each output row's filter from the whole image, reading past the box, so the two bands join without a seam (the
    result is within 2 levels of 255 of the one-piece resize: Pillow's boxed path rounds a little differently).
    """
    width, height = size
    factor_x = int(image.width / width / _REDUCING_GAP) or 1
    factor_y = int(image.height / height / _REDUCING_GAP) or 1
    if factor_x > 1 or factor_y > 1:
        image = image.reduce((factor_x, factor_y))  # the integer box shrink Pillow's reducing_gap does first
    split = height // 2
    if split == 0:
        return image.resize(size, _LANCZOS)
    scale = image.height / height
    lower = _side_pool().submit(
        image.resize, (width, height - split), _LANCZOS, (0, split * scale, image.width, image.height)
    )
    upper = image.resize((width, split), _LANCZOS, box=(0, 0, image.width, split * scale))
    whole = Image.new(upper.mode, size)
    whole.paste(upper, (0, 0))
    whole.paste(lower.result(), (0, split))
    return whole


def _thumb(working: Image.Image) -> Derivative:
    # From the preview-sized image, not the original: ~40× fewer pixels to filter. resize() only reads ``working``.
    return _webp("thumb", working.resize(fit(*working.size, THUMB_SIDE), _LANCZOS, reducing_gap=2.0))


def analysis_jpeg(image: Image.Image, *, max_bytes: int = ANALYSIS_MAX_BYTES) -> Derivative:
    """A metadata-free JPEG of ``image`` no larger than ``max_bytes``: lower quality first, then fewer pixels."""
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    while True:
        for quality in _ANALYSIS_QUALITY_STEPS:
            data = _encode(image, "JPEG", quality=quality)
            if len(data) <= max_bytes:
                return Derivative("analysis", data, image.width, image.height, content_type="image/jpeg")
        if max(image.size) <= THUMB_SIDE:  # cannot happen for real limits; guarantees the loop ends
            raise ValueError(f"cannot fit a JPEG rendition into {max_bytes} bytes")
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)), _LANCZOS)


def _webp(kind: str, image: Image.Image) -> Derivative:
    data = _encode(image, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return Derivative(kind, data, image.width, image.height, content_type="image/webp")


def _encode(image: Image.Image, fmt: str, **params: int) -> bytes:
    buffer = io.BytesIO()
    # Explicitly empty: Pillow only writes metadata it is given, and we give it none.
    image.save(buffer, fmt, exif=b"", icc_profile=None, xmp=b"", **params)
    return buffer.getvalue()


# Modes that convert plainly, and whether the ICC profile still applies afterwards.
_PLAIN_CONVERSIONS: dict[str, tuple[str, bool]] = {
    "LA": ("RGBA", True),
    "La": ("RGBA", True),
    "PA": ("RGBA", True),
    "RGBa": ("RGBA", True),
    "1": ("L", False),
}


def _display_mode(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """Convert to RGB/RGBA/L (alpha kept), returning the ICC profile still to apply (None once it is consumed)."""
    icc = image.info.get("icc_profile") or None
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image, icc
    if mode == "L":
        return image, None  # a grey profile would need a grey→sRGB transform; plain grey is close enough
    if mode == "CMYK":
        # CMYK has no sensible naive conversion, so its profile is applied here, at decode resolution.
        converted = _to_srgb(image, icc) if icc else image.convert("RGB")
        return (converted if converted.mode == "RGB" else image.convert("RGB")), None
    if mode.startswith("I;16") or mode == "I":
        # 16-bit grey: Pillow's convert("L") clips at 255, so scale 0–65535 down to 0–255 first.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L"), None
    if mode == "P":
        has_alpha = "transparency" in image.info or (image.palette is not None and image.palette.mode == "RGBA")
        return image.convert("RGBA" if has_alpha else "RGB"), icc
    target, keeps_profile = _PLAIN_CONVERSIONS.get(mode, ("RGB", True))
    return image.convert(target), icc if keeps_profile else None


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    transform = _transform_to_srgb(icc_profile, image.mode)
    if transform is None:
        return image.convert("RGB") if image.mode == "CMYK" else image
    return transform.apply(image)


@lru_cache(maxsize=16)
def _transform_to_srgb(icc_profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached LittleCMS transform, or None when the profile is sRGB already or unusable (then it is dropped)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if mode != "CMYK" and "srgb" in ImageCms.getProfileDescription(source).lower():
            return None
        out_mode = "RGB" if mode == "CMYK" else mode
        return ImageCms.buildTransform(source, _SRGB, mode, out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


FACE_CROP_SIDE = 160  # the people page shows crops at up to 80 CSS px: sharp on 2x screens
_FACE_MARGIN = 0.25  # of the face box on each side: the head, not only eyes to mouth


def face_crop(image: bytes, box: BoundingBox) -> Derivative:
    """A square WebP of the face at ``box`` (relative to ``image``) with some margin, without metadata like every
    derivative. ``image`` is a rendition the pipeline made (the analysis JPEG, or a preview): already small."""
    with Image.open(io.BytesIO(image)) as opened:
        picture = opened.convert("RGB")
    width, height = picture.size
    side = max(box.width * width, box.height * height) * (1 + 2 * _FACE_MARGIN)
    cx, cy = (box.left + box.width / 2) * width, (box.top + box.height / 2) * height
    left, top = max(0, round(cx - side / 2)), max(0, round(cy - side / 2))
    right, bottom = min(width, round(cx + side / 2)), min(height, round(cy + side / 2))
    crop = picture.crop((left, top, max(right, left + 1), max(bottom, top + 1)))
    crop.thumbnail((FACE_CROP_SIDE, FACE_CROP_SIDE), _LANCZOS)
    return _webp("face", crop)


def as_jpeg(image: bytes) -> bytes:
    """A rendition (WebP preview) as the JPEG face indexes accept, without metadata."""
    with Image.open(io.BytesIO(image)) as opened:
        return analysis_jpeg(opened.convert("RGB")).data
