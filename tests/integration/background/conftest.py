"""The purge and jobs functions on moto: the API's stack (table with its stream, buckets, jobs queue, environment)
plus what these functions add — every bucket versioned, as Terraform makes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from photovault import composition
from photovault.settings import get_settings
from tests.integration.api.conftest import Stack, aws_clients, signing_key, stack  # noqa: F401 - shared fixtures


@pytest.fixture
def versioned(stack: Stack) -> Iterator[Stack]:  # noqa: F811 - the shared fixture, extended
    stack.s3.put_bucket_versioning(Bucket=stack.derivatives, VersioningConfiguration={"Status": "Enabled"})
    yield stack


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Download parts of about 6 MB written in 5 MiB multipart requests, so 60 photos make several parts and every
    part goes through S3's multipart upload."""
    monkeypatch.setenv("EXPORT_PART_MAX_BYTES", str(6 * 1024 * 1024))
    monkeypatch.setenv("EXPORT_UPLOAD_PART_BYTES", str(5 * 1024 * 1024))
    get_settings.cache_clear()
    composition.reset()
    yield
    get_settings.cache_clear()
    composition.reset()
