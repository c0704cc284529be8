"""The entry point every event-source function shares (worker, purge, jobs): Powertools' logger, tracer and metrics
around a batch, each record handled by ``record_handler``, failures reported per record (ReportBatchItemFailures).

Records are handed over as Lambda delivers them (plain dicts): an SQS message (``QueueMessage`` reads the fields the
handlers use) or a DynamoDB stream record. Powertools' ``BatchProcessor`` did the same, but importing it loads all of
Powertools' event data classes and asyncio: about 35 ms of every cold start for a loop of a dozen lines (issue 18).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault.handlers import entry_point
from photovault.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
Record = Mapping[str, Any]


class QueueMessage:
    """The fields of an SQS record the handlers read."""

    __slots__ = ("body", "message_id", "receive_count")

    def __init__(self, record: Record) -> None:
        self.message_id: str = str(record.get("messageId", ""))
        self.body: str = str(record.get("body") or "")
        attributes = record.get("attributes") or {}
        count = str(attributes.get("ApproximateReceiveCount") or "1")
        self.receive_count: int = int(count) if count.isdigit() else 1


def sqs_message_id(record: Record) -> str:
    """An SQS record's identifier in a partial batch response."""
    return str(record["messageId"])


def stream_sequence_number(record: Record) -> str:
    """A DynamoDB stream record's identifier in a partial batch response: its sequence number."""
    return str(record["dynamodb"]["SequenceNumber"])


def handle_records(records: Sequence[Record], handle: Callable[[Record], None], *, in_flight: int = 1) -> list[Record]:
    """Run ``handle`` on every record, ``in_flight`` at a time; the records whose handling raised, in input order.

    Each record succeeds or fails alone: one failure never stops the others (the response names only the failed)."""

    def attempt(record: Record) -> bool:
        try:
            handle(record)
        except Exception:
            logger.warning("record failed: it is reported for redelivery", exc_info=True)
            return False
        return True

    if in_flight <= 1 or len(records) <= 1:
        outcomes = [attempt(record) for record in records]
    else:
        with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="photovault-record") as pool:
            outcomes = list(pool.map(attempt, records))
    return [record for record, ok in zip(records, outcomes, strict=True) if not ok]


def batch_handler(
    *,
    record_handler: Callable[[Record, LambdaContext], None],
    item_identifier: Callable[[Record], str],
    correlation_id_path: str,
    order: Callable[[list[Record]], list[Record]] | None = None,
    in_flight: int = 1,
) -> Handler:
    """``order`` rearranges a batch's records before they are handled (the worker's fair order); the response names
    failed records by ``item_identifier``, so the order, and records running side by side, are free."""

    @entry_point
    @logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        records: list[Record] = list(event.get("Records") or [])
        if order is not None:
            records = order(records)
        failed = handle_records(records, lambda record: record_handler(record, context), in_flight=in_flight)
        return {"batchItemFailures": [{"itemIdentifier": item_identifier(record)} for record in failed]}

    return handler
