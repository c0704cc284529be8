"""The worker's fair order within a batch: round-robin by owner, each owner's records in their own order."""

from __future__ import annotations

from typing import Any

from photovault.pipeline.fairness import fair_order
from tests.support.events import s3_notification, s3_test_event

BUCKET = "originals"


def _record(owner: str, n: int) -> dict[str, Any]:
    return {"messageId": f"{owner}-{n}", "body": s3_notification(BUCKET, f"uploads/{owner}/photo-{n}")}


def test_a_burst_is_interleaved_with_the_other_owners_records_in_the_batch() -> None:
    batch = [_record("alice", n) for n in range(6)] + [_record("bob", 0), _record("carol", 0), _record("bob", 1)]
    ordered = [record["messageId"] for record in fair_order(batch)]
    assert ordered == [
        "alice-0", "bob-0", "carol-0",
        "alice-1", "bob-1",
        "alice-2", "alice-3", "alice-4", "alice-5",
    ]  # fmt: skip


def test_messages_that_are_not_uploads_keep_a_turn_and_nothing_is_lost() -> None:
    check = {"messageId": "check", "body": '{"PhotoVault": "pending-check"}'}
    test_event = {"messageId": "test", "body": s3_test_event(BUCKET)}
    garbage = {"messageId": "garbage", "body": "not json"}
    batch = [_record("alice", 0), _record("alice", 1), check, test_event, garbage, _record("bob", 0)]
    ordered = [record["messageId"] for record in fair_order(batch)]
    assert ordered == ["alice-0", "check", "bob-0", "alice-1", "test", "garbage"]
    assert fair_order([]) == []
