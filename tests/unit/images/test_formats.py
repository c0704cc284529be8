"""The one list of accepted formats: what the API allows, what rejections name and what the web app hints at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import photovault
from photovault.errors import ImageRejected
from photovault.images import ImageLimits, validate
from photovault.images.formats import (
    ACCEPTED_EXTENSIONS,
    ACCEPTED_FORMATS,
    ACCEPTED_LABELS,
    ACCEPTED_MIME_TYPES,
    ACCEPTED_SENTENCE,
    SNIFFED_FORMATS,
    accepted_format,
)
from tests.unit.images.photos import encode, photo_like


def test_the_list_names_each_format_once_and_the_sentence_lists_exactly_them() -> None:
    labels = [fmt.label for fmt in ACCEPTED_FORMATS]
    assert labels == ["JPEG", "PNG", "WebP", "GIF", "HEIC", "AVIF"]
    assert ACCEPTED_LABELS == "JPEG, PNG, WebP, GIF, HEIC and AVIF"
    assert ACCEPTED_SENTENCE == "PhotoVault accepts JPEG, PNG, WebP, GIF, HEIC and AVIF photos."
    assert len(set(ACCEPTED_MIME_TYPES)) == len(ACCEPTED_MIME_TYPES)
    assert len(set(ACCEPTED_EXTENSIONS)) == len(ACCEPTED_EXTENSIONS)
    assert all(ext.startswith(".") and ext == ext.lower() for ext in ACCEPTED_EXTENSIONS)


def test_what_the_worker_recognises_and_what_the_list_accepts_are_the_same_types() -> None:
    assert {fmt.mime_type for fmt in SNIFFED_FORMATS} == set(ACCEPTED_MIME_TYPES)


@pytest.mark.parametrize(
    ("mime_type", "label"),
    [("image/jpeg", "JPEG"), ("IMAGE/AVIF", "AVIF"), ("image/heif", "HEIC"), ("image/png; charset=binary", "PNG")],
)
def test_a_mime_type_finds_its_format(mime_type: str, label: str) -> None:
    found = accepted_format(mime_type)
    assert found is not None and found.label == label


@pytest.mark.parametrize("mime_type", ["image/bmp", "image/svg+xml", "application/octet-stream", "", "image/"])
def test_other_types_are_not_accepted(mime_type: str) -> None:
    assert accepted_format(mime_type) is None


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_go_all_the_way_to_a_jpeg_for_analysis(fmt: str) -> None:
    # Given an AVIF (or HEIC) photo, When validated, Then it has the renditions the analysers read
    validated = validate(encode(photo_like(640, 480), fmt, quality=60), ImageLimits())
    assert validated.renditions.analysis_jpeg.data.startswith(b"\xff\xd8\xff")
    assert (validated.renditions.analysis_jpeg.width, validated.renditions.analysis_jpeg.height) == (640, 480)


def test_a_refused_format_is_told_exactly_which_formats_are_accepted() -> None:
    with pytest.raises(ImageRejected) as rejected:
        validate(encode(photo_like(64, 64), "BMP"), ImageLimits())
    assert rejected.value.message == f"This file is a BMP image; {ACCEPTED_SENTENCE}"


def test_the_list_can_be_imported_without_pillow_so_the_api_can_use_it() -> None:
    code = "import sys, photovault.images.formats; print(sorted(m for m in ('PIL', 'pi_heif') if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(Path(photovault.__file__).parents[1])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "[]"
