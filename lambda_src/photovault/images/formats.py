"""The formats PhotoVault accepts, format detection from magic bytes, and the checks that catch polyglot files.

``ACCEPTED_FORMATS`` is the one list of what may be uploaded: the API's allow-list and 415 message, the worker's
rejection sentences and the web app's hint all come from it. This module imports nothing heavy (no Pillow), so the
API can use it. Nothing here trusts a file name or a declared Content-Type: the bytes alone decide what a file is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from photovault.errors import ImageRejected


@dataclass(frozen=True, slots=True)
class AcceptedFormat:
    """A format people may upload: its name for people, its MIME types (the first is canonical) and extensions."""

    label: str
    mime_types: tuple[str, ...]
    extensions: tuple[str, ...]


ACCEPTED_FORMATS: tuple[AcceptedFormat, ...] = (
    AcceptedFormat("JPEG", ("image/jpeg",), (".jpg", ".jpeg", ".jfif")),
    AcceptedFormat("PNG", ("image/png",), (".png",)),
    AcceptedFormat("WebP", ("image/webp",), (".webp",)),
    AcceptedFormat("GIF", ("image/gif",), (".gif",)),
    AcceptedFormat("HEIC", ("image/heic", "image/heif"), (".heic", ".heif")),
    AcceptedFormat("AVIF", ("image/avif",), (".avif",)),
)
ACCEPTED_MIME_TYPES: tuple[str, ...] = tuple(mime for fmt in ACCEPTED_FORMATS for mime in fmt.mime_types)
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(ext for fmt in ACCEPTED_FORMATS for ext in fmt.extensions)


def _labels(labels: list[str]) -> str:
    return ", ".join(labels[:-1]) + " and " + labels[-1]


ACCEPTED_LABELS = _labels([fmt.label for fmt in ACCEPTED_FORMATS])  # "JPEG, PNG, WebP, GIF, HEIC and AVIF"
ACCEPTED_SENTENCE = f"PhotoVault accepts {ACCEPTED_LABELS} photos."


def accepted_format(mime_type: str) -> AcceptedFormat | None:
    """The accepted format a MIME type names (case and parameters ignored), or None."""
    essence = mime_type.split(";", 1)[0].strip().lower()
    return next((fmt for fmt in ACCEPTED_FORMATS if essence in fmt.mime_types), None)


@dataclass(frozen=True, slots=True)
class ImageFormat:
    """What sniffing found: the name stored in ImageFacts, its MIME type and the Pillow plugins allowed to open it."""

    name: str
    mime_type: str
    plugins: tuple[str, ...]


JPEG = ImageFormat("JPEG", "image/jpeg", ("JPEG",))
PNG = ImageFormat("PNG", "image/png", ("PNG",))
WEBP = ImageFormat("WEBP", "image/webp", ("WEBP",))
GIF = ImageFormat("GIF", "image/gif", ("GIF",))
HEIC = ImageFormat("HEIF", "image/heic", ("HEIF",))
HEIF = ImageFormat("HEIF", "image/heif", ("HEIF",))
AVIF = ImageFormat("AVIF", "image/avif", ("AVIF",))
SNIFFED_FORMATS = (JPEG, PNG, WEBP, GIF, HEIC, HEIF, AVIF)

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_VIDEO_BRANDS = frozenset({b"isom", b"iso2", b"mp41", b"mp42", b"qt  ", b"M4V ", b"3gp4", b"3gp5", b"avc1", b"dash"})

# Markup a browser's content sniffer (first 512–1024 bytes) or a lenient parser would act on.
_HEAD_WINDOW = 1024
_HEAD_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>]|iframe[\s>]|svg[\s>]|\?php\s|object[\s>]"
    rb"|embed[\s>]|img\s|meta\s|style[\s>])|javascript:|%PDF-",
    re.IGNORECASE,
)
# In trailers only long, specific markers: a motion-photo video is megabytes of entropy, and a short pattern
# would match random bytes often enough to reject real photos.
_TAIL_MARKUP = re.compile(
    rb"<(?:!doctype\s|html[\s>]|body[\s>]|script|iframe|\?php\s)|javascript:|%PDF-1\.", re.IGNORECASE
)
# Unexplained bytes after an image's end we still let through (some encoders pad or leave a stray byte or two).
TRAILER_TOLERANCE = 64
_ZIP_EOCD = b"PK\x05\x06"
_ZIP_EOCD_SEARCH = 65_535 + 22  # a ZIP reader looks for the end record within the last 64 KiB + its own size


def rejection_for(detected: str) -> ImageRejected:
    """The unsupported_format rejection for a file we recognised but do not accept."""
    return ImageRejected(
        "unsupported_format",
        f"This file is {detected}; {ACCEPTED_SENTENCE}",
        details={"detected": detected},
    )


def sniff(data: bytes) -> ImageFormat:
    """Identify an accepted format from the leading bytes, or raise ImageRejected(unsupported_format)."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        found = _iso_bmff_format(data)
        if found is not None:
            return found
    raise rejection_for(_describe_refused(data))


def _iso_bmff_format(data: bytes) -> ImageFormat | None:
    """HEIF and AVIF share the ISO-BMFF 'ftyp' box; the major and compatible brands tell them apart."""
    size = int.from_bytes(data[0:4], "big")
    if size < 16 or size > min(len(data), 4096):
        return None
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, size - 3, 4)}
    if brands & _AVIF_BRANDS:
        return AVIF
    if brands & _HEIC_BRANDS:
        return HEIC
    if brands & _HEIF_BRANDS:
        return HEIF
    return None


_KNOWN_SIGNATURES: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), "a TIFF image (or a camera RAW file)"),
    ((b"%PDF",), "a PDF document"),
    ((b"%!PS", b"\xc5\xd0\xd3\xc6"), "a PostScript/EPS document"),
    ((b"BM",), "a BMP image"),
    ((b"8BPS",), "a Photoshop (PSD) document"),
    ((b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"), "an icon (ICO/CUR) file"),
    ((b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51"), "a JPEG 2000 image"),
    ((b"\xff\x0a", b"\x00\x00\x00\x0cJXL "), "a JPEG XL image"),
    ((b"PK\x03\x04", b"PK\x05\x06"), "a ZIP archive"),
    ((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!"), "a compressed archive"),
    ((b"\x7fELF", b"MZ"), "a program"),
    ((b"RIFF",), "a RIFF container (video or audio), not a WebP image"),
)


def _describe_refused(data: bytes) -> str:
    """A human name for what the file is, so the rejection sentence can say it."""
    head = data[:16]
    for prefixes, name in _KNOWN_SIGNATURES:
        if head.startswith(prefixes):
            return name
    if head[4:8] == b"ftyp":
        return _describe_iso_media(data[8:12])
    return _describe_text(data[:4096])


def _describe_iso_media(brand: bytes) -> str:
    if brand == b"crx ":
        return "a camera RAW file"
    if brand in _VIDEO_BRANDS:
        return "a video"
    return "an ISO media file that is neither HEIC nor AVIF"


def _describe_text(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith((b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in text):
        return "an SVG drawing"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<!--", b"<iframe")):
        return "an HTML page"
    if text.startswith(b"<?xml"):
        return "an XML document"
    return "not an image format PhotoVault recognises"


def check_polyglot(data: bytes, fmt: ImageFormat, end: int | None) -> None:
    """Refuse a photo that is also something else: markup in the sniffed head, a ZIP, or unexplained trailing data.

    ``end`` is the offset just past the image's own end marker, read with its structure (None when not found).
    GIFs keep to the head and ZIP checks, as they always have: holding them to the trailer rule too would be a
    policy change of its own.

    The rule: the first KiB must not hold markup or a PDF header (what browsers and PDF readers look at); the file
    must not end in a ZIP end record (what ZIP/JAR readers look for); and nothing but padding may follow the image's
    own end marker, unless it is a known camera trailer (a second JPEG from MPF/gain maps, a motion-photo MP4, a
    Samsung SEF trailer), which must itself be free of markup.
    """
    if _HEAD_MARKUP.search(data, 0, _HEAD_WINDOW):
        raise _polyglot("markup or a document header hidden in the start of the image")
    if _ends_with_zip(data):
        raise _polyglot("a ZIP archive appended to the image")
    if end is None or end >= len(data) or fmt is GIF:
        return  # no trailer, or structure the decoder will judge (a broken structure fails decoding)
    trailer = data[end:]
    if _TAIL_MARKUP.search(trailer):
        raise _polyglot("markup or script after the end of the image")
    if len(trailer.strip(b"\x00\xff\r\n\t ")) <= TRAILER_TOLERANCE:
        return
    if trailer.lstrip(b"\x00").startswith(b"\xff\xd8\xff") or trailer[4:8] == b"ftyp" or trailer.endswith(b"SEFT"):
        return
    raise _polyglot(f"{len(trailer)} bytes of unexplained data after the end of the image")


def _polyglot(what: str) -> ImageRejected:
    return ImageRejected(
        "polyglot",
        f"This photo carries {what}; PhotoVault refuses files that hide other content inside a picture.",
        details={"finding": what},
    )


def _ends_with_zip(data: bytes) -> bool:
    start = max(0, len(data) - _ZIP_EOCD_SEARCH)
    pos = data.rfind(_ZIP_EOCD, start)
    while pos != -1:
        # A real end record's comment runs exactly to the end of the file; random bytes almost never agree.
        comment_len = int.from_bytes(data[pos + 20 : pos + 22], "little")
        if pos + 22 + comment_len == len(data):
            return True
        pos = data.rfind(_ZIP_EOCD, start, pos)
    return False
