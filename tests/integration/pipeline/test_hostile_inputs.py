"""Every hostile upload ends in its defined terminal state through the real worker path; none breaks the batch."""

from __future__ import annotations

import pytest

from tests.hostile.corpus import CASES, Outcome

KEY_SHAPES = ["plain", "with space", "plus+sign", "ünïcødé 照片"]


def test_the_hostile_corpus_is_big_enough():
    assert len(CASES) >= 20
    assert {c.outcome for c in CASES} == {Outcome.ACCEPTED, Outcome.REJECTED}


@pytest.mark.parametrize("batch", [CASES[i : i + 10] for i in range(0, len(CASES), 10)], ids=lambda b: b[0].name)
def test_each_hostile_case_ends_in_its_terminal_state_without_failing_the_batch(harness, batch):
    # Given a batch of hostile uploads, some under keys with spaces, '+' and unicode (URL-encoded in the event)
    uploaded = []
    for index, case in enumerate(batch):
        photo_id = f"{KEY_SHAPES[index % len(KEY_SHAPES)]}-{case.name}"
        uploaded.append((case, harness.upload(case.data(), photo_id=photo_id)))
    messages = harness.messages()
    assert len(messages) == len(batch)

    # When the worker processes the batch
    response = harness.invoke(messages)

    # Then no record fails (bad files are terminal, not retried) and each ends as the corpus promises
    assert response == {"batchItemFailures": []}
    for case, (owner, photo_id) in uploaded:
        item = harness.photo(owner, photo_id)
        assert item is not None, case.name
        if case.outcome is Outcome.ACCEPTED:
            assert item["status"] == "READY", (case.name, item.get("reason"))
            assert set(item["derivatives"]) == {"thumb", "preview"}
        else:
            assert item["status"] == "REJECTED", case.name
            assert item["reason_code"] == case.reason_code, case.name
            assert len(item["reason"]) > 15 and "Traceback" not in item["reason"], case.name
    assert len(harness.notifications()) == len(batch)
