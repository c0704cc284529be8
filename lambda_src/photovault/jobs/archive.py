"""Zip archives written as a stream: entries are copied chunk by chunk into a write-only sink (an S3 multipart
upload), so neither an archive nor one whole photo is ever held in memory.

Photos are already compressed (JPEG, HEIC, WebP …): entries are STORED, which costs no CPU and loses nothing. Sizes
and CRCs follow each entry in a data descriptor (the sink cannot seek back), which every unzip tool that reads the
central directory accepts. Names are made safe (no paths, no control characters, nothing that escapes the folder it
is unpacked into) and unique within the job, case-insensitively, so unpacking every part into one folder loses
nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import IO, cast

from photovault.ports import ArchiveSink

MANIFEST_NAME = "manifest.json"
MAX_NAME_LENGTH = 150
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/avif": ".avif",
}
# Names Windows refuses whatever their extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(filename: str, content_type: str) -> str:
    """The file's own name, safe to unpack anywhere: last path segment, NFC, no control or reserved characters, no
    leading dots or trailing dots/spaces, an extension for its type when it has none, at most 150 characters."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", filename)[-1])
    name = _UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    extension = f".{ext}" if ext else _EXTENSIONS.get(content_type, "")
    stem = stem[: MAX_NAME_LENGTH - len(extension)] or "photo"
    return f"{stem}{extension}"


class UniqueNames:
    """Hands out names no earlier one equals, ignoring case: ``beach.jpg``, ``beach (2).jpg``, ``Beach (3).JPG``."""

    def __init__(self, reserved: Iterable[str] = (MANIFEST_NAME,)) -> None:
        self._taken = {name.casefold() for name in reserved}

    def claim(self, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        suffix = f".{ext}" if ext else ""
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{stem} ({number}){suffix}"
        self._taken.add(candidate.casefold())
        return candidate


def zip_time(iso: str | None) -> tuple[int, int, int, int, int, int]:
    """A zip timestamp from an ISO 8601 time (EXIF taken_at or upload time); zip cannot go before 1980."""
    if iso:
        try:
            moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.year >= ZIP_EPOCH[0]:
            return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return ZIP_EPOCH


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    size: int
    sha256: str


class ZipStream:
    """A zip archive written straight into ``sink`` (which must not seek). Use as a context manager; closing the
    zip writes its central directory into the sink but leaves closing the sink (the object) to the caller."""

    def __init__(self, sink: ArchiveSink) -> None:
        # zipfile only needs write() and flush(); it keeps its own offsets when the stream cannot tell().
        self._zip = zipfile.ZipFile(cast(IO[bytes], sink), "w", compression=zipfile.ZIP_STORED, allowZip64=True)

    def add(self, name: str, chunks: Iterable[bytes], *, size_hint: int, modified: str | None) -> Entry:
        """Copy ``chunks`` into a new entry; returns its size and SHA-256 (of exactly the bytes written)."""
        info = zipfile.ZipInfo(name, date_time=zip_time(modified))
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o100644 << 16
        info.file_size = size_hint  # only decides whether the entry needs zip64 fields
        digest = hashlib.sha256()
        size = 0
        with self._zip.open(info, "w", force_zip64=size_hint >= zipfile.ZIP64_LIMIT) as entry:
            for chunk in chunks:
                entry.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        return Entry(name=name, size=size, sha256=digest.hexdigest())

    def add_bytes(self, name: str, data: bytes, *, modified: str | None = None) -> None:
        info = zipfile.ZipInfo(name, date_time=zip_time(modified))
        info.compress_type = zipfile.ZIP_DEFLATED  # the manifest is JSON: it compresses well
        info.external_attr = 0o100644 << 16
        self._zip.writestr(info, data)

    def __enter__(self) -> ZipStream:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._zip.close()
            return
        # The caller aborts the sink, so nothing written from here on survives; closing now only keeps zipfile from
        # trying again when it is garbage-collected.
        with contextlib.suppress(Exception):
            self._zip.close()
