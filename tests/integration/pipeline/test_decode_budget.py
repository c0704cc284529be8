"""The per-photo budget through the real worker: a decode no estimate caught is stopped, the photo ends REJECTED with
its reason, the record is not retried and the invocation is nowhere near its timeout."""

from __future__ import annotations

import dataclasses
import time

from photovault import composition
from photovault.images import ImageLimits
from photovault.pipeline.ingest import IngestConfig
from tests.hostile.corpus import jpeg_scan_bomb
from tests.unit.images.photos import encode, photo_like

BUDGET_SECONDS = 1.5
# Stopping the child and writing the record, with room for a loaded 2-core machine; still far from Lambda's 120 s.
ALLOWANCE_SECONDS = 8.0


def test_a_slow_decode_no_estimate_caught_is_stopped_by_the_budget_and_the_photo_ends_rejected(harness) -> None:
    # Given a worker whose cost estimate lets everything through (standing in for an input nobody has found yet)
    # and a 1.5 s budget, and an upload that takes libjpeg well over a minute to decode
    limits = ImageLimits(max_bytes=20 * 1024 * 1024, max_decode_work=10**18, decode_budget_seconds=BUDGET_SECONDS)
    composition.override(ingest=dataclasses.replace(harness.use_case(), config=IngestConfig(limits=limits)))
    owner, slow = harness.upload(jpeg_scan_bomb(10000, 8900, 6000, with_data=False))
    _, fine = harness.upload(encode(photo_like(640, 480), "JPEG", quality=85))

    # When the worker processes both in one batch
    started = time.monotonic()
    response = harness.invoke(harness.messages())
    elapsed = time.monotonic() - started

    # Then the slow photo is REJECTED for taking too long, terminally (no record fails, so none is retried) ...
    assert response == {"batchItemFailures": []}
    item = harness.photo(owner, slow)
    assert (item["status"], item["reason_code"]) == ("REJECTED", "decode_timeout")
    assert "took longer than 2 seconds to open" in item["reason"]
    # ... the next photo in the batch is unaffected, and the batch finished within the budget, not the timeout
    assert harness.photo(owner, fine)["status"] == "READY"
    assert elapsed < BUDGET_SECONDS + ALLOWANCE_SECONDS
    assert len(harness.notifications()) == 2
