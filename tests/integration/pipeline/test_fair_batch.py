"""Fair scheduling on moto: one person's burst in a worker batch does not hold back another person's upload."""

from __future__ import annotations

import json
from typing import Any

from tests.support.fake_ai import solid_jpeg

COLOURS = [(220, 30, 30), (30, 200, 40), (30, 60, 220)]


def test_one_owners_burst_of_nine_does_not_make_another_owners_upload_wait_behind_it(harness: Any) -> None:
    # Given alice's burst of nine uploads and then bob's one, delivered in that order as one batch
    alice = [harness.upload(solid_jpeg(COLOURS[i % 3]), owner="alice-0001") for i in range(9)]
    bob = harness.upload(solid_jpeg(COLOURS[0]), owner="bob-0002")
    messages = harness.messages()
    messages.sort(key=lambda message: "bob-0002" in message["Body"])
    assert len(messages) == 10 and "bob-0002" in messages[-1]["Body"]
    # When the worker processes the batch
    assert harness.invoke(messages) == {"batchItemFailures": []}
    # Then bob's photo was among the first finished, not the tenth: it went second, in the batch's first wave of
    # records side by side (worker.RECORDS_IN_FLIGHT), not behind alice's nine
    from photovault.handlers import worker

    finished = [json.loads(note["Body"])["MessageAttributes"]["owner"]["Value"] for note in harness.notifications()]
    assert finished.index("bob-0002") < worker.RECORDS_IN_FLIGHT < 9, finished
    assert all(harness.photo(*upload)["status"] == "READY" for upload in [*alice, bob])
