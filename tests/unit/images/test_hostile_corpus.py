"""Every hostile-corpus case ends in its declared outcome; accepted ones also render."""

from __future__ import annotations

import hashlib

import pytest

from photovault.errors import ImageRejected
from photovault.images import REASON_CODES, ImageLimits, render, validate
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
