"""Fair queueing's first hop: S3 notifications taken from the intake queue go on to the ingest queue with their
owner as ``MessageGroupId``, so SQS fair queues keep one person's backlog from raising anyone else's wait.

S3 event notifications cannot set a message group, hence this hop (S3 → intake queue → forwarder → ingest queue).
A body is forwarded unchanged: the worker parses what S3 wrote. Delivery stays at least once: a record whose send
failed is reported failed and comes back from the intake queue (its DLQ after the retries); one that was sent is
never sent again by this invocation, and a redelivery the worker sees twice is absorbed by its claim."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from photovault.pipeline.fairness import owner_of
from photovault.ports import GroupedMessage, WorkQueue

SEND_BATCH_LIMIT = 10  # SQS SendMessageBatch entries per request
# The tenant of what no owner sends: the schedule's check, S3's test event, a body that does not parse.
SYSTEM_GROUP = "photovault-system"
# What SQS accepts as a MessageGroupId: 1-128 characters, alphanumeric and punctuation.
_GROUP_ID = re.compile(r"[!-~]{1,128}")


@dataclass(frozen=True, slots=True)
class IntakeRecord:
    message_id: str
    body: str


def message_group(body: str) -> str:
    """The tenant of one notification: its upload's owner, or ``SYSTEM_GROUP`` when it names none (or an owner SQS
    could not take as a group id — the API never issues such a key, so that is not anybody's upload)."""
    owner = owner_of(body)
    return owner if _GROUP_ID.fullmatch(owner) else SYSTEM_GROUP


def forward(records: Sequence[IntakeRecord], queue: WorkQueue) -> list[str]:
    """Send every record to ``queue`` in its owner's group, ten per request; the message ids that were not sent."""
    failed: list[str] = []
    for start in range(0, len(records), SEND_BATCH_LIMIT):
        chunk = records[start : start + SEND_BATCH_LIMIT]
        messages = [
            GroupedMessage(entry_id=str(index), body=record.body, group=message_group(record.body))
            for index, record in enumerate(chunk)
        ]
        try:
            refused = queue.send_batch(messages)
        except Exception:  # the request failed as a whole: nothing of this chunk was sent
            refused = {message.entry_id for message in messages}
        failed += [
            record.message_id for message, record in zip(messages, chunk, strict=True) if message.entry_id in refused
        ]
    return failed
