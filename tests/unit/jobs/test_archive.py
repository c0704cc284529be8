"""Zip parts as the download writes them: safe, unique names; entries streamed chunk by chunk into a sink that cannot
seek; a valid archive whose entries have the bytes (and SHA-256) that went in."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from photovault.jobs.archive import MANIFEST_NAME, UniqueNames, ZipStream, safe_name, zip_time


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("IMG_0001.JPG", "image/jpeg", "IMG_0001.JPG"),
        ("../../etc/passwd", "image/jpeg", "passwd.jpg"),
        ("C:\\Users\\me\\beach.png", "image/png", "beach.png"),
        ("/abs/path/photo.heic", "image/heic", "photo.heic"),
        ("..hidden.jpg", "image/jpeg", "hidden.jpg"),
        ("new\x00line\nname.jpg", "image/jpeg", "new_line_name.jpg"),
        ('what?*:"<>|.jpg', "image/jpeg", "what_______.jpg"),
        ("trailing dots...", "image/webp", "trailing dots.webp"),
        ("", "image/jpeg", "photo.jpg"),
        ("CON.jpg", "image/jpeg", "_CON.jpg"),
        ("noextension", "image/gif", "noextension.gif"),
        ("x" * 400 + ".jpeg", "image/jpeg", "x" * 145 + ".jpeg"),
        ("Cafe\u0301.jpg", "image/jpeg", "Caf\u00e9.jpg"),  # NFC: one name whatever the client's normalisation
    ],
)
def test_names_are_safe_to_unpack_anywhere(filename: str, content_type: str, expected: str) -> None:
    name = safe_name(filename, content_type)
    assert name == expected
    assert "/" not in name and "\\" not in name and not name.startswith(".") and len(name) <= 150


def test_names_are_unique_ignoring_case_and_never_the_manifest() -> None:
    names = UniqueNames()
    claimed = [names.claim(n) for n in ("beach.jpg", "beach.jpg", "Beach.JPG", "beach (2).jpg", "manifest.json")]
    assert claimed == ["beach.jpg", "beach (2).jpg", "Beach (3).JPG", "beach (2) (2).jpg", "manifest (2).json"]
    assert len({n.casefold() for n in claimed}) == len(claimed)


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2023-07-14T18:03:11", (2023, 7, 14, 18, 3, 11)),
        ("2024-03-10T16:00:00.000Z", (2024, 3, 10, 16, 0, 0)),
        ("1975-01-01T00:00:00Z", (1980, 1, 1, 0, 0, 0)),  # zip cannot go before 1980
        ("not a date", (1980, 1, 1, 0, 0, 0)),
        (None, (1980, 1, 1, 0, 0, 0)),
    ],
)
def test_zip_times_come_from_the_photo(iso: str | None, expected: tuple[int, ...]) -> None:
    assert zip_time(iso) == expected


class ForwardOnlySink:
    """A sink like the S3 multipart one: write and flush only (no seek, no tell), recording each write's size."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.writes: list[int] = []

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        self.data += data
        self.writes.append(len(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        raise AssertionError("ZipStream leaves closing the object to its caller")

    def abort(self) -> None:
        raise AssertionError("not on the happy path")


def test_entries_stream_into_a_forward_only_sink_and_read_back_exactly() -> None:
    photos = {"a.jpg": b"\xff\xd8" + bytes(range(256)) * 400, "b.png": b"\x89PNG" + b"\x00" * 70_000}
    sink = ForwardOnlySink()

    with ZipStream(sink) as archive:
        entries = [
            archive.add(
                name,
                (data[i : i + 4096] for i in range(0, len(data), 4096)),
                size_hint=len(data),
                modified="2023-07-14T18:03:11",
            )
            for name, data in photos.items()
        ]
        archive.add_bytes(MANIFEST_NAME, b'{"files": []}')

    with zipfile.ZipFile(io.BytesIO(bytes(sink.data))) as written:
        assert written.testzip() is None
        assert written.namelist() == ["a.jpg", "b.png", MANIFEST_NAME]
        for entry, (name, data) in zip(entries, photos.items(), strict=True):
            assert written.read(name) == data
            assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.size == len(data)
            info = written.getinfo(name)
            assert info.compress_type == zipfile.ZIP_STORED and info.date_time == (2023, 7, 14, 18, 3, 10)
        assert written.getinfo(MANIFEST_NAME).compress_type == zipfile.ZIP_DEFLATED
    # The photo's bytes went in as they came, never gathered into one write
    assert max(sink.writes) <= 4096 + 100


def test_an_error_mid_entry_leaves_the_archive_unfinished_for_the_caller_to_abort() -> None:
    sink = ForwardOnlySink()

    def broken() -> object:
        yield b"first chunk"
        raise ConnectionError("S3 stalled")

    with pytest.raises(ConnectionError), ZipStream(sink) as archive:
        archive.add("a.jpg", broken(), size_hint=100, modified=None)  # type: ignore[arg-type]
