"""Decode cost from a file's structure: normal photos pass, files out of proportion are refused before decoding."""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from functools import partial

import pytest
from PIL import Image

from photovault.errors import ImageRejected
from photovault.images import ImageLimits, validate
from photovault.images.cost import MAX_PIECES, check_cost
from photovault.images.formats import ImageFormat, sniff
from photovault.images.structure import Structure, read_structure
from photovault.images.validation import ValidatedImage
from tests.hostile import corpus
from tests.unit.images.photos import encode, photo_like


def structure_of(data: bytes) -> Structure:
    return read_structure(data, sniff(data), max_pieces=MAX_PIECES)


def must_not_decode(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    raise AssertionError("this file should have been refused before decoding")


def declaring(data: bytes, width: int, height: int) -> bytes:
    """A real encoder's file with its declared size rewritten (the scan layout stays the encoder's)."""
    out = bytearray(data)
    if data.startswith(b"\xff\xd8"):
        sof = next(i for i in range(2, len(out)) if out[i] == 0xFF and out[i + 1] in (0xC0, 0xC2))
        out[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    elif data.startswith(b"\x89PNG"):
        out[16:24] = struct.pack(">II", width, height)
    else:  # HEIF / AVIF: every ispe box
        pos = out.find(b"ispe")
        while pos != -1:
            out[pos + 8 : pos + 16] = struct.pack(">II", width, height)
            pos = out.find(b"ispe", pos + 4)
    return bytes(out)


def frames_of(fmt: str, count: int, size: tuple[int, int] = (120, 90)) -> bytes:
    frames = [photo_like(*size, seed=seed) for seed in range(count)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=40, loop=0)


SMALL = photo_like(120, 90)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (encode(SMALL, "JPEG"), (120, 90, 1, 1)),
        (encode(SMALL, "JPEG", progressive=True), (120, 90, 1, 10)),
        (encode(SMALL, "PNG"), (120, 90, 1, 0)),
        (encode(SMALL, "WEBP", quality=80), (120, 90, 1, 0)),
        (encode(SMALL, "WEBP", lossless=True), (120, 90, 1, 0)),
        (encode(SMALL, "GIF"), (120, 90, 1, 0)),
        (encode(SMALL, "HEIF", quality=50), (120, 90, 1, 0)),
        (encode(SMALL, "AVIF", quality=50), (120, 90, 1, 0)),
        (frames_of("GIF", 5), (120, 90, 5, 0)),
        (frames_of("PNG", 4), (120, 90, 4, 0)),
        (frames_of("WEBP", 6), (120, 90, 6, 0)),
        (frames_of("AVIF", 3), (120, 90, 3, 0)),
    ],
    ids=["jpeg", "jpeg-progressive", "png", "webp", "webp-lossless", "gif", "heic", "avif"]
    + ["gif-animated", "apng", "webp-animated", "avif-sequence"],
)
def test_structure_reads_size_frames_and_scans_from_the_header(
    data: bytes, expected: tuple[int, int, int, int]
) -> None:
    structure = structure_of(data)
    assert (structure.width, structure.height, structure.frames, structure.scans) == expected
    assert structure.end is None or structure.end == len(data)


def real_gif_animation(width: int, height: int, frames: int) -> bytes:
    images = [Image.new("P", (width, height), index % 2) for index in range(frames)]
    for image in images:
        image.putpalette([20, 20, 20, 230, 230, 230] * 128)
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=40, loop=0)


NORMAL: dict[str, Callable[[], bytes]] = {
    f"{mp} MP {kind} JPEG": partial(declaring, encode(SMALL, "JPEG", quality=90, **params), *size)
    for mp, size in (("12", (4000, 3000)), ("24", (6000, 4000)), ("48", (8000, 6000)), ("100", (11500, 8690)))
    for kind, params in (
        ("baseline", {}),
        ("progressive", {"progressive": True}),
        ("progressive 4:4:4", {"progressive": True, "subsampling": 0}),
    )
} | {
    "100 MP grey progressive JPEG": lambda: declaring(
        encode(SMALL.convert("L"), "JPEG", progressive=True), 11500, 8690
    ),
    "50 MP PNG": lambda: declaring(encode(SMALL, "PNG"), 8660, 5773),
    "12 MP HEIC": lambda: declaring(encode(SMALL, "HEIF", quality=50), 4000, 3000),
    "48 MP HEIC": lambda: declaring(encode(SMALL, "HEIF", quality=50), 8000, 6000),
    "48 MP AVIF": lambda: declaring(encode(SMALL, "AVIF", quality=50), 8000, 6000),
    "GIF, 300 frames of 480×270": lambda: real_gif_animation(480, 270, 300),
    "GIF, 1,000 frames of 1000×1000": lambda: corpus.gif_animation(1000, 1000, 1000),
    "WebP, 500 frames of 1280×720": lambda: corpus.webp_animation(1280, 720, 500),
}


@pytest.mark.parametrize("name", NORMAL)
def test_normal_photos_and_animations_pass_the_cost_check(name: str) -> None:
    data = NORMAL[name]()
    structure = structure_of(data)
    assert structure.pixels > 0, name
    check_cost(structure, sniff(data), ImageLimits())


@pytest.mark.parametrize(
    ("bomb", "sentence"),
    [
        (corpus.jpeg_progressive_1000_scans, "1,001 scans make the decoder go over its 48 megapixels 502 times"),
        (corpus.gif_2000_frames_on_16mp, "an animation of 2,000 frames of 16 megapixels (32,000 megapixels in all"),
    ],
    ids=["scans", "frames"],
)
def test_a_bomb_is_refused_before_decoding_with_a_sentence_saying_why(bomb: Callable[[], bytes], sentence: str) -> None:
    with pytest.raises(ImageRejected) as rejected:
        validate(bomb(), ImageLimits(), decoder=must_not_decode)
    assert rejected.value.reason_code == "decode_cost"
    assert rejected.value.message.startswith("This file would take too long to open: ")
    assert sentence in rejected.value.message


def test_a_small_image_may_have_many_scans_when_the_total_work_is_small() -> None:
    # 1,000 scans over 0.3 MP is less work than one pass over a 100 MP photo: proportion, not scan count, decides
    data = corpus.jpeg_scan_bomb(640, 480, 1000, with_data=True)
    check_cost(structure_of(data), sniff(data), ImageLimits())


def test_the_declared_size_is_refused_before_the_decoder_allocates_it() -> None:
    # A WebP canvas of 268 MP makes libwebp allocate two 1 GB canvases as soon as the file is opened
    with pytest.raises(ImageRejected) as rejected:
        validate(corpus.webp_canvas_16384(), ImageLimits(), decoder=must_not_decode)
    assert rejected.value.reason_code == "too_many_pixels"


def test_the_work_limit_is_a_parameter() -> None:
    data = corpus.gif_animation(480, 270, 300)
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits(max_decode_work=10_000_000), decoder=must_not_decode)
    assert rejected.value.reason_code == "decode_cost"


def test_a_header_that_does_not_parse_is_left_to_the_decoder() -> None:
    # Given a JPEG whose markers stop making sense after SOI
    data = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    assert structure_of(data).pixels == 0
    # Then the decoder judges it (and refuses it as damaged)
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits())
    assert rejected.value.reason_code == "corrupt_image"


def test_structure_never_raises_on_cut_or_garbled_headers() -> None:
    samples = [encode(SMALL, fmt) for fmt in ("JPEG", "PNG", "GIF", "WEBP", "AVIF")]
    samples.append(corpus.apng_3000_frames_on_4mp()[:5000])
    for data in samples:
        fmt = sniff(data)
        for cut in range(0, min(len(data), 400), 7):
            read_structure(data[: 32 + cut], fmt, max_pieces=MAX_PIECES)
        garbled = bytearray(data)
        for index in range(40, len(garbled), 97):
            garbled[index] ^= 0x5A
        read_structure(bytes(garbled), fmt, max_pieces=MAX_PIECES)


def gif_of_one_byte_sub_blocks() -> bytes:
    """A GIF whose comment is two million one-byte sub-blocks (each a step for a decoder reading it)."""
    gif = corpus.gif_animation(64, 64, 1)
    return gif[:19] + b"\x21\xfe" + b"\x01x" * 2_000_000 + b"\x00" + gif[19:]


def jpeg_of_a_million_restart_markers() -> bytes:
    data = encode(SMALL, "JPEG")
    return data[:2] + b"\xff\xd0" * 1_000_000 + data[2:]


@pytest.mark.parametrize(
    "flood", [gif_of_one_byte_sub_blocks, jpeg_of_a_million_restart_markers, corpus.png_60000_text_chunks]
)
def test_floods_of_tiny_pieces_are_refused_after_a_walk_that_stops_at_the_cap(flood: Callable[[], bytes]) -> None:
    data = flood()
    assert structure_of(data).pieces == MAX_PIECES + 1
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits(), decoder=must_not_decode)
    assert rejected.value.reason_code == "decode_cost"
    assert "more than 50,000 pieces" in rejected.value.message


def test_fill_bytes_are_skipped_in_one_step() -> None:
    data = encode(SMALL, "JPEG")
    padded = data[:2] + b"\xff" * 5_000_000 + data[2:]
    assert structure_of(padded) == dataclasses.replace(structure_of(data), end=len(padded))


def test_deeply_nested_boxes_are_not_followed_down() -> None:
    # Given a HEIC whose tail is 5,000 'moov' boxes nested in one another
    nested = b"\x00\x00\x00\x08free"
    for _ in range(5000):
        nested = struct.pack(">I", 8 + len(nested)) + b"moov" + nested
    data = encode(SMALL, "HEIF", quality=50) + nested
    # Then reading its structure neither recurses 5,000 levels nor loses the image's size
    structure = structure_of(data)
    assert (structure.width, structure.height) == (120, 90)
