"""The per-photo budget: whatever the decoder does (hang, hog memory, crash, fail), the photo ends somewhere readable.

Injected decoders stand in for inputs no one has found yet; they run in the same forked child as the real one.
"""

from __future__ import annotations

import faulthandler
import mmap
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from photovault.errors import ImageRejected
from photovault.images import ImageLimits, budget, validate
from photovault.images.budget import ChildFailed
from photovault.images.derivatives import make_renditions
from photovault.images.formats import JPEG, ImageFormat
from photovault.images.validation import ValidatedImage, decode, decode_and_render
from tests.unit.images.photos import encode, photo_like

PHOTO = encode(photo_like(640, 480), "JPEG", quality=85)
# What stopping a child may add to its budget (SIGKILL, reaping it), with room for a loaded 2-core machine.
STOP_ALLOWANCE = 5.0


def never_returns(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    threading.Event().wait()  # a decode stuck for ever (a C loop would ignore signals just the same)
    raise AssertionError("unreachable")


def hogs_memory(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    # Pixels a decoder writes (touched pages, not just reserved ones), held as a long decode would hold them
    hoard = [b"\x01" * (16 * 1024 * 1024) for _ in range(limits.decode_memory_bytes // (16 * 1024 * 1024) + 8)]
    threading.Event().wait(limits.decode_budget_seconds + 1)
    raise AssertionError(f"held {len(hoard)} blocks past the cap for the whole budget")


def crashes(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    faulthandler.disable()  # pytest's crash dump would only be noise here
    os.kill(os.getpid(), signal.SIGSEGV)  # what a decoder reading out of bounds does
    raise AssertionError("unreachable")


def has_a_bug(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    raise KeyError("a bug in our own code, not a property of the photo")


def children_of_this_process() -> set[str]:
    return set(Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children").read_text().split())


def test_an_injected_decode_that_never_returns_is_cut_off_by_the_budget_and_the_photo_is_rejected() -> None:
    # Given a decoder that never returns and a 1 s budget
    limits = ImageLimits(decode_budget_seconds=1.0)
    children_before = children_of_this_process()  # a fixture of another test may have started a server
    started = time.monotonic()
    # When the photo is validated
    with pytest.raises(ImageRejected) as rejected:
        validate(PHOTO, limits, decoder=never_returns)
    # Then it is rejected for taking too long, within its budget, and the stuck child is gone
    assert rejected.value.reason_code == "decode_timeout"
    assert "longer than 1 seconds to open" in rejected.value.message
    assert time.monotonic() - started < limits.decode_budget_seconds + STOP_ALLOWANCE
    assert children_of_this_process() <= children_before


def test_a_decode_that_needs_more_memory_than_its_cap_is_rejected() -> None:
    limits = ImageLimits(decode_memory_bytes=64 * 1024 * 1024, decode_budget_seconds=10.0)
    with pytest.raises(ImageRejected) as rejected:
        validate(PHOTO, limits, decoder=hogs_memory)
    assert rejected.value.reason_code == "decode_memory"
    assert "more than 64 MB of memory" in rejected.value.message


def test_the_memory_cap_holds_where_the_kernel_does_not_enforce_rlimit_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a sandbox whose kernel ignores RLIMIT_DATA (CI's did: a 192 MB hoard went through a 64 MB cap)
    monkeypatch.setattr(budget, "_cap_memory", lambda extra_bytes: None)
    # And a parent holding 256 MB of file-backed pages (the models a worker mmaps), which a forked child does not
    # start with: measured against the parent's whole RSS, the hog would stay under the cap (CI saw exactly that)
    mapped = tmp_path / "model.bin"
    mapped.write_bytes(b"\x01" * (256 * 1024 * 1024))
    with mapped.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as model:
        assert sum(model[i] for i in range(0, len(model), mmap.PAGESIZE)) > 0  # resident in the parent
        limits = ImageLimits(decode_memory_bytes=64 * 1024 * 1024, decode_budget_seconds=10.0)
        started = time.monotonic()
        # Then the parent's watch on the child's resident memory stops it, long before its time budget
        with pytest.raises(ImageRejected) as rejected:
            validate(PHOTO, limits, decoder=hogs_memory)
    assert rejected.value.reason_code == "decode_memory"
    assert time.monotonic() - started < STOP_ALLOWANCE


def test_a_real_decode_over_the_memory_cap_is_rejected_not_retried() -> None:
    # Given a 24 MP PNG (~72 MB of pixels once decoded) and a 32 MB cap
    data = encode(Image.new("RGB", (6000, 4000), (120, 80, 40)), "PNG")  # flat: quick to make, same pixels to hold
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits(decode_memory_bytes=32 * 1024 * 1024, decode_budget_seconds=10.0))
    assert rejected.value.reason_code == "decode_memory"


def test_memory_earlier_photos_freed_does_not_hide_a_decode_over_the_cap() -> None:
    # Given a warm worker whose heap holds ~290 MB that earlier work freed (still resident, still in its data segment:
    # the blocks kept pin the heap so glibc cannot give it back by itself)
    blocks = [bytearray(100_000) for _ in range(3000)]
    kept = blocks[::50]
    del blocks
    # When a decode needs ~72 MB under a 32 MB cap
    data = encode(Image.new("RGB", (6000, 4000), (120, 80, 40)), "PNG")
    with pytest.raises(ImageRejected) as rejected:
        validate(data, ImageLimits(decode_memory_bytes=32 * 1024 * 1024, decode_budget_seconds=10.0))
    # Then it is still refused: the child could not take the free heap unseen (it went through before the trim)
    assert rejected.value.reason_code == "decode_memory"
    assert len(kept) == 60


def test_a_decoder_that_crashes_on_its_input_ends_in_a_rejection_and_the_worker_lives_on() -> None:
    with pytest.raises(ImageRejected) as rejected:
        validate(PHOTO, ImageLimits(), decoder=crashes)
    assert rejected.value.reason_code == "corrupt_image"
    assert "SIGSEGV" in rejected.value.details["error"]
    # The next photo is fine
    assert validate(PHOTO, ImageLimits()).facts.width == 640


def test_a_bug_in_the_decode_path_is_not_blamed_on_the_photo() -> None:
    # An unexpected exception is no reason to reject a photo: it surfaces (the record fails and is retried)
    with pytest.raises(ChildFailed) as failed:
        validate(PHOTO, ImageLimits(), decoder=has_a_bug)
    assert "KeyError" in str(failed.value)


def test_when_the_invocation_runs_out_of_time_the_photo_is_retried_not_rejected() -> None:
    # Given less time left in the invocation than the photo's budget
    deadline = time.monotonic() + 0.5
    # Then a decode the deadline stops is a TimeoutError (retryable), never a rejection of the photo
    with pytest.raises(TimeoutError):
        validate(PHOTO, ImageLimits(decode_budget_seconds=20.0), deadline=deadline, decoder=never_returns)
    with pytest.raises(TimeoutError):
        validate(PHOTO, ImageLimits(), deadline=time.monotonic() - 1)


def test_what_comes_back_from_the_child_is_what_the_decode_made() -> None:
    # The renditions and facts cross the pipe unchanged (WebP and JPEG encoding are deterministic)
    assert validate(PHOTO, ImageLimits()) == decode_and_render(PHOTO, JPEG, ImageLimits())


def test_rejections_raised_inside_the_child_keep_their_reason_and_details() -> None:
    with pytest.raises(ImageRejected) as rejected:
        validate(encode(photo_like(31, 200), "PNG"), ImageLimits())
    assert rejected.value.reason_code == "image_too_small"
    assert rejected.value.details == {"width": 31, "height": 200, "min_dimension": 32}


def test_renditions_made_in_this_process_first_do_not_hang_the_next_child() -> None:
    # Given the thumbnail thread pool already started here (a forked child inherits the pool but not its thread)
    make_renditions(decode(PHOTO, JPEG, ImageLimits()))
    # Then a child still makes its renditions (the pool is made afresh there) well within the budget
    assert validate(PHOTO, ImageLimits(decode_budget_seconds=20.0)).renditions.thumb.data
