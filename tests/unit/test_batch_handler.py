"""The batch entry point every event-source function shares: each record succeeds or fails alone, the response
names exactly the failed ones (by SQS message id or stream sequence number), and records may run side by side."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from photovault.handlers.batch import (
    QueueMessage,
    batch_handler,
    handle_records,
    sqs_message_id,
    stream_sequence_number,
)


class _Context:
    function_name = "photovault-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:photovault-test"
    memory_limit_in_mb = 512
    aws_request_id = "test"
    log_group_name = log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _sqs(message_id: str, body: str = "{}", receives: str | None = "1") -> dict[str, Any]:
    attributes = {} if receives is None else {"ApproximateReceiveCount": receives}
    return {"messageId": message_id, "body": body, "attributes": attributes, "eventSource": "aws:sqs"}


@pytest.mark.parametrize("in_flight", [1, 4])
def test_only_the_records_that_raised_are_reported_and_the_others_all_ran(in_flight: int) -> None:
    handled: list[str] = []

    def handle(record: dict[str, Any], _context: Any) -> None:
        handled.append(record["messageId"])
        if record["body"] == "bad":
            raise ValueError("this one fails")

    handler = batch_handler(
        record_handler=handle,
        item_identifier=sqs_message_id,
        correlation_id_path="Records[0].messageId",
        in_flight=in_flight,
    )
    records = [_sqs("m1"), _sqs("m2", "bad"), _sqs("m3"), _sqs("m4", "bad"), _sqs("m5")]
    response = handler({"Records": records}, _Context())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m4"}]}
    assert sorted(handled) == ["m1", "m2", "m3", "m4", "m5"]


def test_a_batch_that_fails_entirely_reports_every_record_rather_than_raising() -> None:
    def handle(_record: dict[str, Any], _context: Any) -> None:
        raise RuntimeError("the table is down")

    handler = batch_handler(record_handler=handle, item_identifier=sqs_message_id, correlation_id_path="x")
    response = handler({"Records": [_sqs("a"), _sqs("b")]}, _Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "b"}]}
    assert handler({"Records": []}, _Context()) == {"batchItemFailures": []}


def test_the_order_hook_rearranges_records_and_failures_still_name_the_right_ones() -> None:
    seen: list[str] = []

    def handle(record: dict[str, Any], _context: Any) -> None:
        seen.append(record["messageId"])
        if record["messageId"] == "first":
            raise ValueError

    handler = batch_handler(
        record_handler=handle,
        item_identifier=sqs_message_id,
        correlation_id_path="x",
        order=lambda records: list(reversed(records)),
    )
    response = handler({"Records": [_sqs("first"), _sqs("second")]}, _Context())
    assert seen == ["second", "first"]
    assert response == {"batchItemFailures": [{"itemIdentifier": "first"}]}


def test_records_in_flight_overlap_their_waits() -> None:
    """Four records that each wait 0.2 s take about one wait side by side, not four."""
    running, most = 0, 0
    lock = threading.Lock()

    def handle(_record: dict[str, Any]) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1

    started = time.monotonic()
    assert handle_records([_sqs(str(n)) for n in range(4)], handle, in_flight=4) == []
    assert most == 4
    assert time.monotonic() - started < 0.6


def test_stream_records_are_named_by_their_sequence_number() -> None:
    record = {"eventID": "e1", "dynamodb": {"SequenceNumber": "4421584500000000017450439091"}}
    assert stream_sequence_number(record) == "4421584500000000017450439091"


def test_a_queue_message_reads_its_receive_count_and_tolerates_missing_fields() -> None:
    message = QueueMessage(_sqs("m", "hello", receives="3"))
    assert (message.message_id, message.body, message.receive_count) == ("m", "hello", 3)
    bare = QueueMessage({"messageId": "n"})
    assert (bare.body, bare.receive_count) == ("", 1)
    assert QueueMessage(_sqs("m", receives="junk")).receive_count == 1
