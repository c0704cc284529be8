"""Image properties from the pixels: dominant colours (with a simplified colour name) and quality measures.

Brightness is mean luma; contrast is RMS contrast (luma standard deviation against half the range); sharpness
is the variance of the Laplacian at a fixed working size, squashed to 0–100. All three are on Rekognition's
0–100 scale but are this module's own measures, not Rekognition's numbers.
"""

from __future__ import annotations

import colorsys
import math

import numpy as np
from PIL import Image

from photovault.model import DominantColor, ImageProperties, ImageQuality

WORK_SIDE = 512  # quality is measured at a fixed size so a 4000 px photo and its 1024 px copy score alike
_COLOR_SIDE = 96  # colour statistics need few pixels
_PALETTE_SIZE = 8
_MIN_COLOR_PERCENT = 3.0
_MAX_COLORS = 5
_SHARPNESS_SCALE = 400.0  # Laplacian variance at which sharpness reads ~63/100 (a crisp 512 px photo is >1000)


def simplified_name(red: int, green: int, blue: int) -> str:
    """A plain colour word for an sRGB colour, chosen by hue, saturation and value."""
    hue, saturation, value = colorsys.rgb_to_hsv(red / 255, green / 255, blue / 255)
    degrees = hue * 360
    if value < 0.16:
        return "black"
    if saturation < 0.18 or (saturation < 0.3 and value < 0.35):
        if value > 0.85:
            return "white"
        return "gray" if value > 0.3 else "black"
    if degrees < 15 or degrees >= 345:
        name = "red"
    elif degrees < 45:
        name = "orange"
    elif degrees < 70:
        name = "yellow"
    elif degrees < 165:
        name = "green"
    elif degrees < 255:
        name = "blue"
    elif degrees < 290:
        name = "purple"
    else:
        name = "pink"
    # Dark oranges and reds are what people call brown; pale reds are pink.
    if name in {"orange", "red", "yellow"} and value < 0.6 and saturation > 0.25:
        return "brown"
    if name == "red" and saturation < 0.5 and value > 0.75:
        return "pink"
    return name


def dominant_colors(image: Image.Image) -> tuple[DominantColor, ...]:
    small = image.copy()
    small.thumbnail((_COLOR_SIDE, _COLOR_SIDE), Image.Resampling.BOX)
    # Median cut splits the colour cube by population: large uniform areas (sky, a red wall) stay one colour.
    quantized = small.quantize(colors=_PALETTE_SIZE, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts = sorted(quantized.getcolors(_PALETTE_SIZE) or [], reverse=True)
    total = small.width * small.height
    merged: dict[str, tuple[float, tuple[int, int, int], str]] = {}
    for count, entry in counts:
        index = int(entry)  # type: ignore[call-overload]  # "P" images report palette indices (ints)
        rgb = (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2])
        name = simplified_name(*rgb)
        percent = 100.0 * count / total
        # Two palette entries with the same plain name (two blues of a sky) are one colour to a person.
        if name in merged:
            merged[name] = (merged[name][0] + percent, merged[name][1], name)
        else:
            merged[name] = (percent, rgb, name)
    ranked = sorted(merged.values(), key=lambda item: -item[0])
    return tuple(
        DominantColor(hex="#{:02X}{:02X}{:02X}".format(*rgb), pixel_percent=round(percent, 2), simplified=name)
        for percent, rgb, name in ranked[:_MAX_COLORS]
        if percent >= _MIN_COLOR_PERCENT
    )


def quality(image: Image.Image) -> ImageQuality:
    gray = image.convert("L")
    if max(gray.size) != WORK_SIDE:
        scale = WORK_SIDE / max(gray.size)
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.BILINEAR)
    luma = np.asarray(gray, dtype=np.float32)
    brightness = float(luma.mean()) / 255 * 100
    contrast = min(100.0, float(luma.std()) / 127.5 * 100)
    laplacian = luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:] - 4 * luma[1:-1, 1:-1]
    variance = float(laplacian.var())
    sharpness = 100.0 * (1.0 - math.exp(-variance / _SHARPNESS_SCALE))
    return ImageQuality(brightness=round(brightness, 2), sharpness=round(sharpness, 2), contrast=round(contrast, 2))


def image_properties(image: Image.Image) -> ImageProperties:
    return ImageProperties(dominant_colors=dominant_colors(image), quality=quality(image))
