"""Lambda's DynamoDB-stream event source mapping, locally: read the table's real stream records from the emulator
(moto implements ``dynamodbstreams``: every write of the table is a record, with NEW_AND_OLD_IMAGES), keep the
ones the mapping's filter passes, and invoke the function with batches shaped exactly as Lambda sends them.

Semantics kept from AWS (terraform/modules/compute's mapping, settings from resources.json ``purge``):
- records in stream order, at most ``batch_size`` per invocation; filtered-out records are consumed, never sent;
- ReportBatchItemFailures: the batch is retried from the lowest failed sequence number, the records before it are done;
- a crash, a timeout or an invalid response with ``bisect`` splits the batch in two and retries each half;
- after ``maximum_retry_attempts`` the batch's description goes to the on-failure destination (an SQS queue) and
  the mapping moves on;
- removals by DynamoDB's TTL process carry ``userIdentity {type: Service, principalId: dynamodb.amazonaws.com}``:
  the local TTL sweeper (:mod:`scripts.local_stack.ttl`) registers what it deletes in :class:`ServiceRemovals`.

The position is kept as a sequence number and a fresh iterator is asked for on every poll: moto replaces a table's
stream object when it rolls back a failed transaction, which would leave a long-lived iterator reading nothing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scripts.local_stack.event_filter import matches_any
from scripts.local_stack.lambda_runtime import LambdaFunction
from scripts.local_stack.loop import Loop

log = logging.getLogger(__name__)

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
_GET_RECORDS_LIMIT = 1000


class ServiceRemovals:
    """Keys the TTL sweeper is deleting: the REMOVE record of each is marked as DynamoDB's own, as in AWS."""

    def __init__(self) -> None:
        self._keys: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def mark(self, pk: str, sk: str) -> None:
        with self._lock:
            self._keys.add((pk, sk))

    def unmark(self, pk: str, sk: str) -> None:
        with self._lock:
            self._keys.discard((pk, sk))

    def take(self, pk: str, sk: str) -> bool:
        with self._lock:
            if (pk, sk) in self._keys:
                self._keys.remove((pk, sk))
                return True
            return False


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).timestamp()
    return float(value)


def lambda_record(
    record: Mapping[str, Any], *, stream_arn: str, region: str, removals: ServiceRemovals | None = None
) -> dict[str, Any]:
    """One GetRecords record (as boto3 returns it) → the record Lambda puts in the event."""
    stream = dict(record["dynamodb"])
    stream["ApproximateCreationDateTime"] = int(_epoch(stream.get("ApproximateCreationDateTime", time.time())))
    converted: dict[str, Any] = {
        "eventID": record.get("eventID") or uuid.uuid4().hex,
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }
    keys = stream.get("Keys", {})
    pk, sk = keys.get("pk", {}).get("S", ""), keys.get("sk", {}).get("S", "")
    if record["eventName"] == "REMOVE" and removals is not None and removals.take(pk, sk):
        converted["userIdentity"] = dict(TTL_IDENTITY)
    return converted


@dataclass(frozen=True)
class MappingSettings:
    """resources.json ``purge``: what terraform's ``aws_lambda_event_source_mapping.purge`` is given."""

    batch_size: int
    maximum_retry_attempts: int
    bisect_batch_on_function_error: bool
    filter_patterns: Sequence[Mapping[str, Any]]

    @classmethod
    def from_spec(cls, purge: Mapping[str, Any]) -> MappingSettings:
        return cls(
            batch_size=int(purge["batch_size"]),
            maximum_retry_attempts=int(purge["maximum_retry_attempts"]),
            bisect_batch_on_function_error=bool(purge["bisect_batch_on_function_error"]),
            filter_patterns=list(purge["filter_patterns"]),
        )


@dataclass
class StreamStats:
    read: int = 0
    delivered: int = 0
    filtered_out: int = 0
    invocations: int = 0
    parked: int = 0  # records whose batch went to the on-failure destination
    errors: list[str] = field(default_factory=list)


class StreamPoller(Loop):
    """Feeds ``function`` from the table's stream until stopped; :meth:`poll_once` handles what is there now."""

    def __init__(
        self,
        *,
        streams: Any,
        stream_arn: str,
        region: str,
        function: LambdaFunction,
        settings: MappingSettings,
        on_failure: Callable[[dict[str, Any]], None],
        removals: ServiceRemovals | None = None,
        poll_interval: float = 0.5,
        retry_delay: float = 1.0,
    ) -> None:
        super().__init__(name=f"stream-poller-{function.name}", interval=poll_interval)
        self._streams = streams
        self._stream_arn = stream_arn
        self._region = region
        self._function = function
        self._settings = settings
        self._on_failure = on_failure
        self._removals = removals
        self._retry_delay = retry_delay
        self._after: str | None = None  # the last sequence number handled; None = the stream's start
        self._lock = threading.Lock()  # poll_once from a test and the thread never interleave
        self.stats = StreamStats()

    def tick(self) -> bool:
        return self.poll_once() > 0

    # ------------------------------------------------------------ reading

    def read(self) -> list[dict[str, Any]]:
        """The records after the position (at most 1,000), in Lambda's shape; the position does not move."""
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"].get("Shards", [])
        if not shards:
            return []
        shard = shards[0]  # the emulator keeps one shard per table
        start = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        if self._after is None or int(self._after) + 1 < start:
            if self._after is not None:  # trimmed before they were read (AWS keeps records 24 h)
                log.warning("stream records after %s were trimmed before the poller read them", self._after)
            iterator = self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        else:
            iterator = self._streams.get_shard_iterator(
                StreamArn=self._stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self._after,
            )["ShardIterator"]
        records = self._streams.get_records(ShardIterator=iterator, Limit=_GET_RECORDS_LIMIT).get("Records", [])
        return [
            lambda_record(r, stream_arn=self._stream_arn, region=self._region, removals=self._removals) for r in records
        ]

    def poll_once(self) -> int:
        """Deliver every record there is now; returns how many were read."""
        with self._lock:
            records = self.read()
            if not records:
                return 0
            self.stats.read += len(records)
            wanted = [r for r in records if matches_any(self._settings.filter_patterns, r)]
            self.stats.filtered_out += len(records) - len(wanted)
            size = self._settings.batch_size
            for start in range(0, len(wanted), size):
                batch = wanted[start : start + size]
                self._deliver(batch)
                if self._stop.is_set():  # stopped mid-batch: it was not handled, the position stays before it
                    return len(records)
                self._after = batch[-1]["dynamodb"]["SequenceNumber"]
            self._after = records[-1]["dynamodb"]["SequenceNumber"]
            return len(records)

    # ------------------------------------------------------------ delivering

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        """Until every record of ``records`` succeeded or was parked: retries, partial failures, bisection."""
        pending = [records]
        while pending and not self._stop.is_set():
            batch = pending.pop(0)
            attempts = 0
            while batch and not self._stop.is_set():
                attempts += 1
                self.stats.invocations += 1
                result = self._function.invoke({"Records": batch})
                failed_at = _first_failure(result.response, batch) if result.ok else None
                if result.ok and failed_at == len(batch):
                    self.stats.delivered += len(batch)
                    break
                if result.ok and failed_at is not None:  # ReportBatchItemFailures: go on from the first failure
                    self.stats.delivered += failed_at
                    batch = batch[failed_at:]
                else:
                    self.stats.errors.append(result.error or f"invalid response: {result.response!r}")
                    if self._settings.bisect_batch_on_function_error and len(batch) > 1:
                        middle = len(batch) // 2
                        pending[:0] = [batch[:middle], batch[middle:]]
                        break
                if attempts > self._settings.maximum_retry_attempts:
                    self._park(batch, attempts)
                    break
                self._stop.wait(self._retry_delay)

    def _park(self, batch: list[dict[str, Any]], attempts: int) -> None:
        """What Lambda sends an on-failure destination for a stream batch: where it is, never the records."""
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        self.stats.parked += len(batch)
        log.warning("%s: parking %d stream records after %d attempts", self._function.name, len(batch), attempts)
        self._on_failure(
            {
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": f"arn:aws:lambda:{self._region}:function:{self._function.name}",
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": attempts,
                },
                "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
                "version": "1.0",
                "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "DDBStreamBatchInfo": {
                    "shardId": "local",
                    "startSequenceNumber": first["SequenceNumber"],
                    "endSequenceNumber": last["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": first["ApproximateCreationDateTime"],
                    "approximateArrivalOfLastRecord": last["ApproximateCreationDateTime"],
                    "batchSize": len(batch),
                    "streamArn": self._stream_arn,
                },
            }
        )


def _first_failure(response: Any, batch: list[dict[str, Any]]) -> int | None:
    """Index of the first record to retry (``len(batch)``: none); None when the response is invalid (Lambda then
    treats the whole invocation as failed)."""
    if response is None:
        return len(batch)
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return len(batch)
    if not isinstance(failures, list):
        return None
    numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
    positions = []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if identifier not in numbers:
            return None
        positions.append(numbers.index(identifier))
    return min(positions)


def failure_sender(sqs: Any, queue_url: str) -> Callable[[dict[str, Any]], None]:
    """The on-failure destination: an SQS queue (Lambda sends the JSON document as the message body)."""

    def send(document: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(document))

    return send
