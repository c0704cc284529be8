"""The forwarder's hop into the fair ingest queue: each notification in its owner's group, unchanged, failures named."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from photovault.pipeline.forward import SYSTEM_GROUP, IntakeRecord, forward, message_group
from photovault.ports import GroupedMessage
from tests.support.events import s3_notification, s3_test_event

BUCKET = "originals"


class FakeWorkQueue:
    """Records each SendMessageBatch; refuses the bodies in ``refuse``; fails whole requests while ``down``."""

    def __init__(self, *, refuse: Sequence[str] = (), down: bool = False) -> None:
        self.requests: list[list[GroupedMessage]] = []
        self.refuse = set(refuse)
        self.down = down

    @property
    def sent(self) -> list[GroupedMessage]:
        return [message for request in self.requests for message in request if message.body not in self.refuse]

    def send_batch(self, messages: Sequence[GroupedMessage]) -> set[str]:
        if self.down:
            raise ConnectionError("SQS is unreachable")
        self.requests.append(list(messages))
        return {message.entry_id for message in messages if message.body in self.refuse}


def _upload(owner: str, n: int) -> IntakeRecord:
    return IntakeRecord(message_id=f"{owner}-{n}", body=s3_notification(BUCKET, f"uploads/{owner}/photo-{n}"))


def test_each_notification_goes_on_unchanged_in_its_owners_group() -> None:
    queue = FakeWorkQueue()
    records = [_upload("alice", 0), _upload("bob", 0), _upload("alice", 1)]
    assert forward(records, queue) == []
    assert [(m.body, m.group) for m in queue.sent] == [
        (records[0].body, "alice"),
        (records[1].body, "bob"),
        (records[2].body, "alice"),
    ]


def test_what_names_no_owner_travels_in_the_system_group() -> None:
    assert message_group(s3_test_event(BUCKET)) == SYSTEM_GROUP
    assert message_group('{"PhotoVault": "pending-check"}') == SYSTEM_GROUP
    assert message_group("not json") == SYSTEM_GROUP
    # A key SQS could not take as a group id is nobody's upload (the API never issues one): it is still forwarded.
    assert message_group(s3_notification(BUCKET, "uploads/%C3%A9l%C3%A8ve/photo-1")) == SYSTEM_GROUP


def test_a_batch_over_ten_records_is_sent_ten_at_a_time() -> None:
    queue = FakeWorkQueue()
    records = [_upload("alice", n) for n in range(12)]
    assert forward(records, queue) == []
    assert [len(request) for request in queue.requests] == [10, 2]
    assert [m.body for m in queue.sent] == [r.body for r in records]


def test_only_the_records_sqs_refused_are_reported_failed() -> None:
    records = [_upload("alice", 0), _upload("bob", 0), _upload("alice", 1)]
    queue = FakeWorkQueue(refuse=[records[1].body])
    assert forward(records, queue) == ["bob-0"]
    assert [m.body for m in queue.sent] == [records[0].body, records[2].body]


@pytest.mark.parametrize("count", [1, 10])
def test_a_request_that_fails_as_a_whole_fails_every_record_it_carried(count: int) -> None:
    records = [_upload("alice", n) for n in range(count)]
    assert forward(records, FakeWorkQueue(down=True)) == [r.message_id for r in records]
