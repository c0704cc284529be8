"""SQS fair queues, emulated for the local ingest queue: moto keeps ``MessageGroupId`` on a standard queue but not
its scheduling, so without this a burst of one person's uploads sits ahead of another person's single upload.

In AWS a standard queue whose producers set ``MessageGroupId`` (the forwarder sets the owner) is a fair queue: when
one tenant has a backlog, SQS delivers the other tenants' messages first, so their dwell time stays low. Locally the
worker pollers share one ``FairQueue``: it receives a window of what is visible (each message once: a message
received again would spend its receive count, walking a burst into the DLQ), and hands out batches by tenant —
the group with the fewest messages in flight first, round-robin between equals, each group's own messages in
arrival order. This is an emulation of the behaviour AWS documents (low dwell time for quiet tenants), not of its
exact algorithm."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

MAX_RECEIVE_BATCH = 10  # SQS ReceiveMessage limit
# A buffered message is handed out only while this much of its visibility timeout is left: one the worker could no
# longer finish invisibly is dropped from the window and received again when SQS shows it again.
VISIBILITY_MARGIN_SECONDS = 60.0


def group_of(message: dict[str, Any]) -> str:
    """The tenant of a received message (``""`` for one sent without a group, like the schedule's check)."""
    return str(message.get("Attributes", {}).get("MessageGroupId", ""))


class FairQueue:
    """Receive from ``queue_url`` in tenant-fair order; ``done`` tells it which handed-out messages are finished."""

    def __init__(self, *, sqs: Any, queue_url: str, visibility_timeout: int, window: int = 100) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._keep_seconds = max(0.0, visibility_timeout - VISIBILITY_MARGIN_SECONDS)
        self._window = window
        self._lock = threading.Lock()
        self._buffer: list[tuple[float, dict[str, Any]]] = []  # (received at, message), in arrival order
        self._in_flight: Counter[str] = Counter()
        self._served: dict[str, int] = {}  # group → when it was last served (round-robin between equals)
        self._turn = 0

    def receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        """Up to ``count`` messages, the least-served tenants' first; long-polls ``wait_seconds`` only when nothing
        is buffered."""
        self._fill(wait_seconds)
        with self._lock:
            return self._pick(count)

    def done(self, messages: Sequence[dict[str, Any]]) -> None:
        """These handed-out messages were processed (deleted or left for a retry): no longer in flight."""
        with self._lock:
            for message in messages:
                group = group_of(message)
                self._in_flight[group] -= 1
                if self._in_flight[group] <= 0:
                    del self._in_flight[group]

    def release(self) -> None:
        """Make what is buffered visible again at once (at shutdown: nothing waits out a visibility timeout)."""
        with self._lock:
            buffered, self._buffer = [message for _, message in self._buffer], []
        for start in range(0, len(buffered), MAX_RECEIVE_BATCH):
            chunk = buffered[start : start + MAX_RECEIVE_BATCH]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )

    def _fill(self, wait_seconds: int) -> None:
        with self._lock:
            now = time.monotonic()
            self._buffer = [(at, m) for at, m in self._buffer if now - at < self._keep_seconds]
            room, empty = self._window - len(self._buffer), not self._buffer
        wait = wait_seconds if empty else 0
        while room > 0:
            received = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE_BATCH, room),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not received:
                return
            with self._lock:
                now = time.monotonic()
                self._buffer += [(now, message) for message in received]
            room, wait = room - len(received), 0

    def _pick(self, count: int) -> list[dict[str, Any]]:
        picked: list[dict[str, Any]] = []
        while len(picked) < count and self._buffer:
            oldest: dict[str, int] = {}  # each buffered group's oldest message (ties between new groups: arrival)
            for index, (_, message) in enumerate(self._buffer):
                oldest.setdefault(group_of(message), index)
            group = min(oldest, key=lambda g: (self._in_flight[g], self._served.get(g, -1), oldest[g]))
            picked.append(self._buffer.pop(oldest[group])[1])
            self._in_flight[group] += 1
            self._served[group] = self._turn
            self._turn += 1
        return picked
