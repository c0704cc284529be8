"""What a file says about itself before any decoder runs: its size, frames, JPEG scans and how many pieces it has.

Read from the bytes alone, with bounded walks: every segment, chunk, block or box is counted and a walk stops at
``max_pieces``, so even a hostile 50 MB file costs milliseconds here. Nothing here raises: a structure that does not
parse is reported as far as it went, and the decoder (under its budget) judges the rest.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from photovault.images.formats import AVIF, GIF, HEIC, HEIF, JPEG, PNG, WEBP, ImageFormat


@dataclass(frozen=True, slots=True)
class Structure:
    """The declared shape of an image file.

    ``visits`` is how many pixel-samples the decoder goes through for one frame: one per pixel for most formats,
    one per sample and scan for JPEG (a progressive JPEG goes over the image once per scan). ``end`` is the offset
    just past the image's own end marker (None when the format has none we can find cheaply, or it is missing).
    """

    width: int = 0
    height: int = 0
    frames: int = 1
    visits: int = 0
    scans: int = 0
    pieces: int = 0
    end: int | None = None

    @property
    def pixels(self) -> int:
        return self.width * self.height


def read_structure(data: bytes, fmt: ImageFormat, *, max_pieces: int) -> Structure:
    """The structure of ``data`` (already sniffed as ``fmt``); walks stop once ``max_pieces`` pieces were seen."""
    try:
        if fmt is JPEG:
            return _jpeg(data, max_pieces)
        if fmt is PNG:
            return _png(data, max_pieces)
        if fmt is GIF:
            return _gif(data, max_pieces)
        if fmt is WEBP:
            return _webp(data, max_pieces)
        if fmt in (HEIC, HEIF, AVIF):
            return _bmff(data, max_pieces)
    except (IndexError, ValueError, struct.error):  # a malformed header: what could not be read stays unknown
        pass
    return Structure()


# --- JPEG -------------------------------------------------------------------------------------------------------

_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_LOSSLESS = frozenset({0xC3, 0xC7, 0xCB, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_EOI, _SOS = 0xD9, 0xDA
# After a scan's entropy-coded data the next marker is an 0xFF that is neither stuffing (FF00), a restart marker
# (FFD0–FFD7) nor fill (FFFF); regex keeps this search in C even across megabytes.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FILL = re.compile(rb"\xff+")


@dataclass(frozen=True, slots=True)
class _Frame:
    width: int
    height: int
    lossless: bool
    components: dict[int, tuple[int, int]]  # component id -> (horizontal, vertical) sampling factors

    def samples(self, scan_components: list[int]) -> int:
        """Samples one scan covers: whole 8×8 blocks (MCU padding included when interleaved), or pixels if lossless."""
        h_max = max(h for h, _ in self.components.values())
        v_max = max(v for _, v in self.components.values())
        known = [self.components[c] for c in scan_components if c in self.components]
        unit = 1 if self.lossless else 8
        if len(known) > 1:  # interleaved: whole MCUs, each holding h×v units of every component
            mcus = _ceil(self.width, unit * h_max) * _ceil(self.height, unit * v_max)
            return mcus * sum(h * v for h, v in known) * unit * unit
        total = 0
        for h, v in known:
            columns = _ceil(_ceil(self.width * h, h_max), unit)
            rows = _ceil(_ceil(self.height * v, v_max), unit)
            total += columns * rows * unit * unit
        return total


def _jpeg(data: bytes, max_pieces: int) -> Structure:
    pos, size = 2, len(data)
    frame: _Frame | None = None
    pieces = scans = visits = 0
    end = None
    while pos + 2 <= size and pieces <= max_pieces:
        if data[pos] != 0xFF:
            break  # not a marker where one must be: the decoder will say what is wrong
        marker = data[pos + 1]
        if marker == 0xFF:  # fill bytes, skipped in one step however many there are
            pos = _FILL.match(data, pos).end() - 1  # type: ignore[union-attr]  # data[pos] is 0xFF: always a match
            continue
        if marker == _EOI:
            end = pos + 2
            break
        pieces += 1
        if marker in _STANDALONE:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > size:
            break
        body = data[pos + 4 : pos + 2 + length]
        if marker in _SOF and frame is None:
            frame = _sof(body, lossless=marker in _LOSSLESS)
        elif marker == _SOS:
            scans += 1
            if frame is not None:
                visits += frame.samples(list(body[1 : 1 + 2 * body[0] : 2]))
            following = _NEXT_MARKER.search(data, pos + 2 + length)
            if following is None:
                break  # the entropy-coded data runs to the end of the file: truncated
            pos = following.start()
            continue
        pos += 2 + length
    if frame is None:
        return Structure(pieces=pieces, scans=scans, end=end)
    return Structure(frame.width, frame.height, visits=visits, scans=scans, pieces=pieces, end=end)


def _sof(body: bytes, *, lossless: bool) -> _Frame:
    height = int.from_bytes(body[1:3], "big")
    width = int.from_bytes(body[3:5], "big")
    components = {}
    for index in range(body[5]):
        component_id, sampling = body[6 + 3 * index], body[7 + 3 * index]
        components[component_id] = (max(1, sampling >> 4), max(1, sampling & 0x0F))
    return _Frame(width, height, lossless, components or {1: (1, 1)})


# --- PNG (and APNG) ---------------------------------------------------------------------------------------------


_CHUNK_HEADER = struct.Struct(">I4s")


def _png(data: bytes, max_pieces: int) -> Structure:
    pos, size = 8, len(data)
    width = height = pieces = declared_frames = frame_controls = 0
    end = None
    read_header = _CHUNK_HEADER.unpack_from
    while pos + 12 <= size and pieces <= max_pieces:
        length, kind = read_header(data, pos)
        pieces += 1
        if kind == b"IHDR":
            width, height = struct.unpack_from(">II", data, pos + 8)
        elif kind == b"acTL":
            declared_frames = struct.unpack_from(">I", data, pos + 8)[0]
        elif kind == b"fcTL":
            frame_controls += 1
        elif kind == b"IEND":
            end = pos + 12 + length
            break
        pos += 12 + length
    frames = max(1, declared_frames, frame_controls)
    return Structure(width, height, frames, width * height, pieces=pieces, end=end)


# --- GIF --------------------------------------------------------------------------------------------------------


def _gif(data: bytes, max_pieces: int) -> Structure:
    width, height = struct.unpack_from("<HH", data, 6)
    pos, size = 13 + _colour_table(data[10]), len(data)
    pieces = frames = 0
    end = None
    while pos < size and pieces <= max_pieces:
        introducer = data[pos]
        if introducer == 0x3B:  # trailer
            end = pos + 1
            break
        pieces += 1
        if introducer == 0x21:  # extension: label, then sub-blocks
            pos, short = _skip_sub_blocks(data, pos + 2, max_pieces - pieces)
        elif introducer == 0x2C:  # image descriptor: a frame, which may reach beyond the logical screen
            frames += 1
            left, top, frame_width, frame_height = struct.unpack_from("<HHHH", data, pos + 1)
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            start = pos + 10 + _colour_table(data[pos + 9]) + 1  # +1: the LZW minimum code size
            pos, short = _skip_sub_blocks(data, start, max_pieces - pieces)
        else:
            break
        pieces += short
    return Structure(width, height, max(1, frames), width * height, pieces=pieces, end=end)


def _colour_table(flags: int) -> int:
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _skip_sub_blocks(data: bytes, pos: int, max_short: int) -> tuple[int, int]:
    """The offset past a chain of sub-blocks, and how many were short. Encoders fill sub-blocks to 255 bytes but
    the last, so short ones only add up in a file built of them (millions of one-byte sub-blocks, each a step for a
    decoder): they count as pieces, and the walk stops once there are more than ``max_short``."""
    size, short = len(data), 0
    while pos < size and short <= max_short:
        length = data[pos]
        pos += 1 + length
        if length == 0:
            break
        short += length < 255
    return pos, short


# --- WebP -------------------------------------------------------------------------------------------------------


def _webp(data: bytes, max_pieces: int) -> Structure:
    riff_size = int.from_bytes(data[4:8], "little")
    end = 8 + riff_size + (riff_size & 1)
    pos, limit = 12, min(len(data), end)
    width = height = pieces = frames = 0
    while pos + 8 <= limit and pieces <= max_pieces:
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        pieces += 1
        if kind == b"VP8X":  # extended: the canvas size, 24-bit minus one
            width = 1 + int.from_bytes(data[body + 4 : body + 7], "little")
            height = 1 + int.from_bytes(data[body + 7 : body + 10], "little")
        elif kind == b"ANMF":
            frames += 1
        elif kind == b"VP8 " and not width:  # simple lossy: the key frame header after its start code
            width = int.from_bytes(data[body + 6 : body + 8], "little") & 0x3FFF
            height = int.from_bytes(data[body + 8 : body + 10], "little") & 0x3FFF
        elif kind == b"VP8L" and not width:  # simple lossless: 14-bit sizes minus one after the signature byte
            bits = int.from_bytes(data[body + 1 : body + 5], "little")
            width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        pos = body + length + (length & 1)
    return Structure(width, height, max(1, frames), width * height, pieces=pieces, end=end)


# --- HEIF / AVIF (ISO base media file format) -------------------------------------------------------------------

# Boxes whose children we read; "meta" is a full box (4 bytes of version and flags before its children).
_CONTAINERS = frozenset({b"meta", b"iprp", b"ipco", b"moov", b"trak", b"mdia", b"minf", b"stbl"})
_MAX_DEPTH = 6  # moov/trak/mdia/minf/stbl/stsz is the deepest we read; deeper nesting is not followed


def _bmff(data: bytes, max_pieces: int) -> Structure:
    items = _Items(max_pieces)
    end = _walk_boxes(data, 0, len(data), items, parent=b"", depth=0)
    primary_sizes = [items.sizes[i] for i in items.associations.get(items.primary or -1, []) if i in items.sizes]
    # The primary item's own size; failing that, the largest image the file describes (what a decoder may allocate).
    candidates = primary_sizes or sorted(items.sizes.values(), key=lambda size: size[0] * size[1]) or [(0, 0)]
    width, height = candidates[-1]
    return Structure(width, height, max(1, items.samples), width * height, pieces=items.pieces, end=end)


@dataclass(slots=True)
class _Items:
    """What the HEIF boxes say: the primary item, each ispe property's size, which item has which properties."""

    max_pieces: int
    primary: int | None = None
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)  # ipco property index (1-based) -> size
    associations: dict[int, list[int]] = field(default_factory=dict)  # item id -> property indices
    samples: int = 0  # frames of an image sequence (its largest track)
    pieces: int = 0


def _walk_boxes(data: bytes, pos: int, stop: int, items: _Items, *, parent: bytes, depth: int) -> int | None:
    """Walk the boxes in data[pos:stop]; returns the offset past the last box (or of non-box bytes), None if cut."""
    property_index = 0
    while pos + 8 <= stop and items.pieces <= items.max_pieces:
        box_size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if box_size == 1:
            if pos + 16 > stop:
                return None
            box_size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif box_size == 0:
            box_size = stop - pos
        if box_size < header or not all(32 <= c < 127 for c in kind):
            return pos  # not a box: whatever is here is trailing data
        if pos + box_size > stop:
            return None  # a truncated box: decoding will fail and say so
        items.pieces += 1
        body, box_end = pos + header, pos + box_size
        if kind in _CONTAINERS and depth < _MAX_DEPTH:
            _walk_boxes(data, body + (4 if kind == b"meta" else 0), box_end, items, parent=kind, depth=depth + 1)
        elif kind == b"pitm":
            items.primary = int.from_bytes(data[body + 4 : body + (6 if data[body] == 0 else 8)], "big")
        elif kind == b"ipma":
            _read_associations(data, body, box_end, items)
        elif kind == b"stsz":
            items.samples = max(items.samples, int.from_bytes(data[body + 8 : body + 12], "big"))
        if parent == b"ipco":
            property_index += 1  # ipco's children are the item properties, numbered from 1
            if kind == b"ispe":
                width = int.from_bytes(data[body + 4 : body + 8], "big")
                items.sizes[property_index] = (width, int.from_bytes(data[body + 8 : body + 12], "big"))
        pos = box_end
    return pos


def _read_associations(data: bytes, pos: int, stop: int, items: _Items) -> None:
    """ipma: for each item, the indices of its properties (7 or 15 bits, after an 'essential' flag bit)."""
    version, flags = data[pos], int.from_bytes(data[pos + 1 : pos + 4], "big")
    id_width, index_width = (2 if version < 1 else 4), (2 if flags & 1 else 1)
    index_mask = 0x7FFF if index_width == 2 else 0x7F
    count = int.from_bytes(data[pos + 4 : pos + 8], "big")
    pos += 8
    for _ in range(count):
        if pos + id_width + 1 > stop or items.pieces > items.max_pieces:
            return
        item_id = int.from_bytes(data[pos : pos + id_width], "big")
        n = data[pos + id_width]
        pos += id_width + 1
        items.associations[item_id] = [
            int.from_bytes(data[pos + k * index_width : pos + (k + 1) * index_width], "big") & index_mask
            for k in range(n)
        ]
        pos += n * index_width
        items.pieces += 1 + n  # every item (a grid's tiles are items too) is a piece its decoder handles


def _ceil(a: int, b: int) -> int:
    return -(-a // b)
