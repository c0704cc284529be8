"""Real photographs shipped inside installed packages (scikit-image's ``skimage.data``, matplotlib's sample data),
re-encoded as JPEG with an EXIF DateTimeOriginal the test chooses, so the timeline's headers can be checked in date
order. Nothing is downloaded: these files are part of the wheels."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import skimage.data
from PIL import Image

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_MAKE = 0x010F
_MODEL = 0x0110
_MAX_SIDE = 1200


@dataclass(frozen=True)
class RealPhoto:
    name: str  # the file name uploaded
    taken: str  # EXIF DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
    data: bytes

    @property
    def day(self) -> str:
        return self.taken[:10].replace(":", "-")


def _skimage(name: str) -> Image.Image:
    array = getattr(skimage.data, name)()
    if array.dtype != np.uint8:
        array = (255 * (array - array.min()) / max(1, array.max() - array.min())).astype(np.uint8)
    return Image.fromarray(array).convert("RGB")


def _matplotlib(name: str) -> Image.Image:
    path = Path(matplotlib.get_data_path()) / "sample_data" / name
    return Image.open(path).convert("RGB")


def _skimage_motorcycle() -> Image.Image:
    left, _, _ = skimage.data.stereo_motorcycle()
    return Image.fromarray(left).convert("RGB")


SOURCES = {
    "astronaut": lambda: _skimage("astronaut"),
    "coffee": lambda: _skimage("coffee"),
    "rocket": lambda: _skimage("rocket"),
    "chelsea": lambda: _skimage("chelsea"),
    "hubble": lambda: _skimage("hubble_deep_field"),
    "motorcycle": _skimage_motorcycle,
    "retina": lambda: _skimage("retina"),
    "grace-hopper": lambda: _matplotlib("grace_hopper.jpg"),
    "immunohistochemistry": lambda: _skimage("immunohistochemistry"),
    "cat-and-coffee-mix": lambda: _mix("chelsea", "coffee"),
}


def _mix(a: str, b: str) -> Image.Image:
    """Two photographs side by side: a real photo that is not byte-identical to either source."""
    first, second = _skimage(a), _skimage(b)
    height = min(first.height, second.height)
    first = first.resize((first.width * height // first.height, height))
    second = second.resize((second.width * height // second.height, height))
    canvas = Image.new("RGB", (first.width + second.width, height))
    canvas.paste(first, (0, 0))
    canvas.paste(second, (first.width, 0))
    return canvas


def jpeg_with_exif(image: Image.Image, taken: str, *, make: str = "PhotoVault", model: str = "E2E Camera") -> bytes:
    image = image.copy()
    image.thumbnail((_MAX_SIDE, _MAX_SIDE))
    exif = Image.Exif()
    exif[_MAKE] = make
    exif[_MODEL] = model
    exif.get_ifd(_EXIF_IFD)[_DATETIME_ORIGINAL] = taken
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif.tobytes())
    return buffer.getvalue()


def real_photo(source: str, taken: str, name: str | None = None) -> RealPhoto:
    return RealPhoto(name=name or f"{source}.jpg", taken=taken, data=jpeg_with_exif(SOURCES[source](), taken))
