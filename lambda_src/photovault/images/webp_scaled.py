"""Scaled WebP decoding: libwebp decodes straight to the size the renditions need, as libvips' WebP loader does.

Pillow has no draft mode for WebP: its plugin decodes every frame through WebPAnimDecoder onto a full-size RGBA
canvas and then copies it, ~180 MB of working memory for a 12 MP photo (2× libvips). libwebp itself can rescale
while it decodes (``WebPDecoderOptions.use_scaling``: an area-averaging rescaler fed row by row), so a 12 MP photo
never exists at full size. Pillow bundles that very libwebp (``pillow.libs/``, in the Lambda zip too); it is reached
here through ctypes with the advanced-decoding structs of ``webp/decode.h`` (ABI 0x0209, libwebp ≥ 1.0).

Anything this path cannot do (no libwebp found, an animation, a decode error) returns None and the caller decodes
with Pillow as before, so a damaged file is still judged by the one Pillow path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import Image

_DECODER_ABI_VERSION = 0x0209
_MIN_LIBRARY_VERSION = 0x010000  # 1.0.0: the first release with this ABI
_MODE_RGB, _MODE_RGBA = 0, 1
_STATUS_OK = 0


class _Features(ctypes.Structure):
    _fields_ = (
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("has_alpha", ctypes.c_int),
        ("has_animation", ctypes.c_int),
        ("format", ctypes.c_int),
        ("pad", ctypes.c_uint32 * 5),
    )


class _RGBABuffer(ctypes.Structure):
    _fields_ = (("rgba", ctypes.c_void_p), ("stride", ctypes.c_int), ("size", ctypes.c_size_t))


class _YUVABuffer(ctypes.Structure):  # only here for the union's size
    _fields_ = (
        ("planes", ctypes.c_void_p * 4),
        ("strides", ctypes.c_int * 4),
        ("sizes", ctypes.c_size_t * 4),
    )


class _BufferUnion(ctypes.Union):
    _fields_ = (("RGBA", _RGBABuffer), ("YUVA", _YUVABuffer))


class _DecBuffer(ctypes.Structure):
    _fields_ = (
        ("colorspace", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("is_external_memory", ctypes.c_int),
        ("u", _BufferUnion),
        ("pad", ctypes.c_uint32 * 4),
        ("private_memory", ctypes.c_void_p),
    )


class _Options(ctypes.Structure):
    _fields_ = (
        ("bypass_filtering", ctypes.c_int),
        ("no_fancy_upsampling", ctypes.c_int),
        ("use_cropping", ctypes.c_int),
        ("crop_left", ctypes.c_int),
        ("crop_top", ctypes.c_int),
        ("crop_width", ctypes.c_int),
        ("crop_height", ctypes.c_int),
        ("use_scaling", ctypes.c_int),
        ("scaled_width", ctypes.c_int),
        ("scaled_height", ctypes.c_int),
        ("use_threads", ctypes.c_int),
        ("dithering_strength", ctypes.c_int),
        ("flip", ctypes.c_int),
        ("alpha_dithering_strength", ctypes.c_int),
        ("pad", ctypes.c_uint32 * 5),
    )


class _Config(ctypes.Structure):
    _fields_ = (("input", _Features), ("output", _DecBuffer), ("options", _Options))


@lru_cache(maxsize=1)
def _libwebp() -> ctypes.CDLL | None:
    """Pillow's own libwebp (the one its WebP plugin uses), else the system's; None when neither is usable."""
    bundled = sorted((Path(PIL.__file__).parent.parent / "pillow.libs").glob("libwebp-*.so*"))
    name = str(bundled[0]) if bundled else ctypes.util.find_library("webp")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        if library.WebPGetDecoderVersion() < _MIN_LIBRARY_VERSION:
            return None
        library.WebPInitDecoderConfigInternal.argtypes = (ctypes.POINTER(_Config), ctypes.c_int)
        library.WebPDecode.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_Config))
        library.WebPFreeDecBuffer.argtypes = (ctypes.POINTER(_DecBuffer),)
    except (OSError, AttributeError):
        return None
    return library


def available() -> bool:
    """Whether scaled decoding can run here (tests say which path they exercised)."""
    return _libwebp() is not None


def decode_scaled(data: bytes, size: tuple[int, int], *, has_alpha: bool) -> Image.Image | None:
    """``data`` (a still WebP) decoded straight to ``size`` as RGB, or RGBA when ``has_alpha``; None when libwebp
    is not available here or refuses the file (an animation, bad data): the caller then decodes with Pillow."""
    library = _libwebp()
    if library is None:
        return None
    config = _Config()
    if not library.WebPInitDecoderConfigInternal(ctypes.byref(config), _DECODER_ABI_VERSION):
        return None
    width, height = size
    channels = 4 if has_alpha else 3
    # Our own buffer (external memory): the pixels land once, in memory Pillow then wraps without a copy.
    pixels = bytearray(width * height * channels)
    config.options.use_scaling, config.options.scaled_width, config.options.scaled_height = 1, width, height
    config.options.use_threads = 1
    config.output.colorspace = _MODE_RGBA if has_alpha else _MODE_RGB
    config.output.is_external_memory = 1
    config.output.u.RGBA.rgba = ctypes.addressof(ctypes.c_char.from_buffer(pixels))
    config.output.u.RGBA.stride = width * channels
    config.output.u.RGBA.size = len(pixels)
    try:
        status = library.WebPDecode(data, len(data), ctypes.byref(config))
    finally:
        library.WebPFreeDecBuffer(ctypes.byref(config.output))
    if status != _STATUS_OK:
        return None
    mode = "RGBA" if has_alpha else "RGB"
    return Image.frombuffer(mode, size, pixels, "raw", mode, 0, 1)
