"""Every hostile-corpus case ends in its declared outcome; accepted ones also render."""

from __future__ import annotations

import hashlib

import pytest

from photovault.errors import ImageRejected
from photovault.images import REASON_CODES, ImageLimits, render, validate
from photovault.images.formats import ImageFormat
from photovault.images.validation import ValidatedImage
from tests.hostile.corpus import CASES, HostileCase, Outcome


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)


def test_accepted_cases_have_distinct_bytes_so_none_is_a_duplicate_of_another() -> None:
    digests = [hashlib.sha256(case.data()).hexdigest() for case in CASES if case.outcome is Outcome.ACCEPTED]
    assert len(set(digests)) == len(digests)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_case_reaches_its_declared_outcome(case: HostileCase) -> None:
    # Given the hostile bytes, When validated (and rendered if accepted)
    if case.outcome is Outcome.REJECTED:
        assert case.reason_code in REASON_CODES
        with pytest.raises(ImageRejected) as caught:
            validate(case.data(), ImageLimits())
        # Then the rejection carries the promised reason
        assert caught.value.reason_code == case.reason_code
        return
    renditions = render(validate(case.data(), ImageLimits()))
    assert renditions.thumb.data and renditions.preview.data and renditions.analysis_jpeg.data


DECIDED_BEFORE_DECODING = [case for case in CASES if case.reason_code in ("decode_cost", "too_many_pixels")]


def must_not_decode(data: bytes, fmt: ImageFormat, limits: ImageLimits) -> ValidatedImage:
    raise AssertionError("this file should have been refused before decoding")


@pytest.mark.parametrize("case", DECIDED_BEFORE_DECODING, ids=lambda case: case.name)
def test_bombs_are_refused_from_their_structure_before_any_decoder_sees_them(case: HostileCase) -> None:
    # A decoder that fails the test if it is ever called: the refusal must come from the header walk alone
    with pytest.raises(ImageRejected) as caught:
        validate(case.data(), ImageLimits(), decoder=must_not_decode)
    assert caught.value.reason_code == case.reason_code
