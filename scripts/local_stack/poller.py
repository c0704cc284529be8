"""Lambda's SQS event source mapping, locally: receive batches, invoke the worker, delete what succeeded.

Semantics kept from AWS (ReportBatchItemFailures enabled, as terraform/modules/compute configures it):
- up to ``batch_size`` messages per invocation, gathered for at most ``maximum_batching_window_seconds``;
- the event is the exact shape Lambda sends (``Records`` of ``aws:sqs`` records);
- a response listing ``batchItemFailures`` fails only those messages; an empty/absent list means all succeeded;
- a crash, a timeout, an unserialisable response or a malformed ``batchItemFailures`` fails the whole batch;
- failed messages are not deleted: they reappear after the queue's visibility timeout, and the queue's redrive
  policy moves them to the DLQ after ``maxReceiveCount`` receives (moto implements this like SQS);
- given a ``FairQueue`` (the ingest queue's pollers share one), batches come from it in tenant-fair order, as SQS
  fair queues deliver them in AWS (moto does not schedule by ``MessageGroupId``: ``fair_queue.py``).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scripts.local_stack.fair_queue import FairQueue
from scripts.local_stack.lambda_runtime import LambdaFunction

log = logging.getLogger(__name__)

MAX_RECEIVE_BATCH = 10  # SQS ReceiveMessage limit
# The system attributes Lambda copies into each record (others are dropped).
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DeadLetterQueueSourceArn",
)


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one batch: which message ids were deleted and which were left for a retry."""

    received: tuple[str, ...] = ()
    succeeded: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class PollerStats:
    batches: int = 0
    succeeded: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def sqs_record(message: dict[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    """One ReceiveMessage message → the record Lambda puts in the event."""
    attributes = message.get("Attributes", {})
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {name: str(attributes[name]) for name in _RECORD_ATTRIBUTES if name in attributes},
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_b64(v) for v in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = _b64(value["BinaryValue"])
    return converted


def _b64(value: bytes | str) -> str:
    return base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()


def failed_message_ids(response: Any, message_ids: Iterable[str]) -> set[str] | None:
    """Message ids the function reported as failed; ``None`` means the whole batch failed (Lambda's rules)."""
    ids = set(message_ids)
    if response is None:
        return set()
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in ids:
            return None
        failed.add(identifier)
    return failed


class SqsPoller:
    """Feeds ``function`` from ``queue_url`` until stopped. ``poll_once`` runs one batch (used by tests)."""

    def __init__(
        self,
        *,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        region: str,
        function: LambdaFunction,
        batch_size: int = 10,
        maximum_batching_window_seconds: float = 0.0,
        wait_time_seconds: int = 1,
        failure_visibility_timeout: int | None = None,
        fair_queue: FairQueue | None = None,
    ) -> None:
        if not 1 <= batch_size <= MAX_RECEIVE_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_RECEIVE_BATCH} without a larger window implementation")
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._region = region
        self._function = function
        self._batch_size = batch_size
        self._window = maximum_batching_window_seconds
        self._wait = wait_time_seconds
        # None = leave failed messages invisible for the queue's visibility timeout, as Lambda does. A number changes
        # their visibility instead (0 = retry at once; tests and impatient developers).
        self._failure_visibility = failure_visibility_timeout
        self._fair = fair_queue
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = PollerStats()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sqs-poller-{self._function.name}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """No new batch after the one in flight (:meth:`stop` also waits for the thread)."""
        self._stop.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # the emulator going away at shutdown, a transient error …
                if self._stop.is_set():
                    return
                log.warning("poller: %s: %s", type(exc).__name__, exc)
                self._stop.wait(1.0)

    # ------------------------------------------------------------ one batch

    def receive_batch(self) -> list[dict[str, Any]]:
        if self._fair is not None:
            return self._fair.receive(self._batch_size, self._wait)
        messages = self._receive(self._batch_size, self._wait)
        if not messages or self._window <= 0:
            return messages
        deadline = time.monotonic() + self._window
        while len(messages) < self._batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            messages += self._receive(self._batch_size - len(messages), min(int(remaining), 1))
        return messages

    def _receive(self, count: int, wait: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def poll_once(self) -> BatchOutcome:
        messages = self.receive_batch()
        if not messages:
            return BatchOutcome()
        try:
            return self.process(messages)
        finally:
            if self._fair is not None:
                self._fair.done(messages)

    def process(self, messages: list[dict[str, Any]]) -> BatchOutcome:
        event = {"Records": [sqs_record(m, queue_arn=self._queue_arn, region=self._region) for m in messages]}
        ids = tuple(m["MessageId"] for m in messages)
        result = self._function.invoke(event)
        error = result.error
        failed = failed_message_ids(result.response, ids) if result.ok else None
        if failed is None:
            failed = set(ids)
            error = error or f"invalid batch response: {result.response!r}"
        succeeded = [m for m in messages if m["MessageId"] not in failed]
        self._delete(succeeded)
        self._release([m for m in messages if m["MessageId"] in failed])
        self.stats.batches += 1
        self.stats.succeeded += len(succeeded)
        self.stats.failed += len(failed)
        if error:
            self.stats.errors.append(error)
            log.warning("%s: batch of %d failed: %s", self._function.name, len(messages), error.splitlines()[0])
        elif failed:
            log.info("%s: %d of %d records failed; left for retry", self._function.name, len(failed), len(messages))
        return BatchOutcome(
            received=ids,
            succeeded=tuple(m["MessageId"] for m in succeeded),
            failed=tuple(i for i in ids if i in failed),
            error=error,
        )

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), MAX_RECEIVE_BATCH):
            chunk = messages[start : start + MAX_RECEIVE_BATCH]
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )

    def _release(self, messages: list[dict[str, Any]]) -> None:
        if self._failure_visibility is None or not messages:
            return
        for start in range(0, len(messages), MAX_RECEIVE_BATCH):
            chunk = messages[start : start + MAX_RECEIVE_BATCH]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._failure_visibility}
                    for i, m in enumerate(chunk)
                ],
            )
