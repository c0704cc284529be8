"""The poller behaves like Lambda's SQS event source mapping with ReportBatchItemFailures."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from scripts.local_stack.lambda_runtime import InProcessFunction, SubprocessFunction
from scripts.local_stack.poller import SqsPoller, failed_message_ids
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures
from tests.integration.local_stack_fixture import IngestQueues, pid_handler, sleepy_handler, wait_until

local_stack = fixtures.local_stack
ingest_queues = fixtures.ingest_queues


class StubWorker:
    """A worker.handler stand-in: records each event; fails the records whose body is in ``fail``."""

    def __init__(self, fail: set[str] | None = None, crash: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail or set()
        self.crash = crash

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        if self.crash:
            raise RuntimeError("boom")
        failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] in self.fail]
        return {"batchItemFailures": failures}

    def bodies(self) -> list[list[str]]:
        return [[r["body"] for r in e["Records"]] for e in self.events]


def make_poller(stack: LocalStack, queues: IngestQueues, worker: StubWorker, **overrides: Any) -> SqsPoller:
    options: dict[str, Any] = {
        "batch_size": 10,
        "wait_time_seconds": 0,
        "failure_visibility_timeout": 0,  # retry at once instead of after the 720 s visibility timeout
        **overrides,
    }
    return SqsPoller(
        sqs=stack.client("sqs"),
        queue_url=queues.url,
        queue_arn=queues.arn,
        region=stack.resources.region,
        function=InProcessFunction(worker, name="photovault-local-worker", timeout_seconds=120),
        **options,
    )


def send(stack: LocalStack, queues: IngestQueues, *bodies: str) -> None:
    sqs = stack.client("sqs")
    for body in bodies:
        sqs.send_message(
            QueueUrl=queues.url,
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
        )


def queue_depth(stack: LocalStack, url: str) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_batch_arrives_in_lambdas_event_shape_and_successes_are_deleted(
    local_stack: LocalStack, ingest_queues: IngestQueues
) -> None:
    stack, queues = local_stack, ingest_queues
    send(stack, queues, "a", "b", "c")
    worker = StubWorker()

    outcome = make_poller(stack, queues, worker).poll_once()

    assert sorted(worker.bodies()[0]) == ["a", "b", "c"]
    record = worker.events[0]["Records"][0]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "md5OfMessageAttributes",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs",
        queues.arn,
        "eu-west-1",
    )
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324 - SQS's checksum
    assert record["messageAttributes"]["origin"] == {
        "stringValue": "test",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert len(outcome.succeeded) == 3
    assert queue_depth(stack, queues.url) == 0


def test_reported_failures_are_retried_and_only_they(local_stack: LocalStack, ingest_queues: IngestQueues) -> None:
    stack, queues = local_stack, ingest_queues
    send(stack, queues, "ok-1", "bad", "ok-2")
    worker = StubWorker(fail={"bad"})
    poller = make_poller(stack, queues, worker)

    first = poller.poll_once()
    second = poller.poll_once()

    assert len(first.succeeded) == 2
    assert len(first.failed) == 1
    assert worker.bodies()[1] == ["bad"]
    assert worker.events[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert second.failed == first.failed


def test_a_message_failing_max_receive_count_times_lands_in_the_dlq(
    local_stack: LocalStack, ingest_queues: IngestQueues
) -> None:
    stack, queues = local_stack, ingest_queues
    r = stack.resources
    send(stack, queues, "poison")
    worker = StubWorker(fail={"poison"})
    poller = make_poller(stack, queues, worker)

    for _ in range(int(r.ingest["max_receive_count"]) + 1):
        poller.poll_once()

    assert len(worker.events) == r.ingest["max_receive_count"]
    dead = stack.client("sqs").receive_message(QueueUrl=queues.dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["poison"]
    assert queue_depth(stack, queues.url) == 0


def test_a_crashing_handler_fails_the_whole_batch(local_stack: LocalStack, ingest_queues: IngestQueues) -> None:
    stack, queues = local_stack, ingest_queues
    send(stack, queues, "x", "y")
    outcome = make_poller(stack, queues, StubWorker(crash=True)).poll_once()

    assert outcome.succeeded == ()
    assert len(outcome.failed) == 2
    assert outcome.error is not None
    assert "boom" in outcome.error
    assert queue_depth(stack, queues.url) == 2


def test_without_a_retry_delay_failed_messages_wait_out_the_visibility_timeout(
    local_stack: LocalStack, ingest_queues: IngestQueues
) -> None:
    stack, queues = local_stack, ingest_queues
    send(stack, queues, "bad")
    poller = make_poller(stack, queues, StubWorker(fail={"bad"}), failure_visibility_timeout=None)

    assert len(poller.poll_once().failed) == 1
    assert poller.poll_once().received == ()  # still invisible: the queue's 720 s are running
    assert queue_depth(stack, queues.url) == 1


def test_the_poller_thread_feeds_the_function_until_stopped(
    local_stack: LocalStack, ingest_queues: IngestQueues
) -> None:
    stack, queues = local_stack, ingest_queues
    worker = StubWorker()
    poller = make_poller(stack, queues, worker, wait_time_seconds=1)
    poller.start()
    try:
        send(stack, queues, "one", "two")
        wait_until(lambda: sum(len(b) for b in worker.bodies()) == 2)
    finally:
        poller.stop()
    assert not poller.running
    assert queue_depth(stack, queues.url) == 0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, None),
        ({"batchItemFailures": [{"id": "m1"}]}, None),
        ("ok", None),
    ],
)
def test_batch_responses_are_read_with_lambdas_rules(response: Any, expected: set[str] | None) -> None:
    assert failed_message_ids(response, ["m1", "m2"]) == expected


def test_a_subprocess_function_runs_warm_in_its_own_process_and_is_killed_on_timeout() -> None:
    import os

    event = {"Records": [{"body": "x"}]}
    warm = SubprocessFunction(f"{pid_handler.__module__}.pid_handler", name="w", timeout_seconds=30)
    try:
        first, second = warm.invoke(event), warm.invoke(event)
    finally:
        warm.close()
    assert first.ok, first.error
    assert first.response["pid"] != os.getpid()
    assert first.response["pid"] == second.response["pid"]  # the same warm environment
    assert 0 < first.response["remaining_ms"] <= 30_000
    assert json.loads(json.dumps(first.response))["records"] == 1

    slow = SubprocessFunction(f"{sleepy_handler.__module__}.sleepy_handler", name="slow", timeout_seconds=1)
    try:
        slow.invoke(event)  # cold start + the first timeout
        result = slow.invoke(event)
    finally:
        slow.close()
    assert result.error is not None
    assert "timed out" in result.error


def test_make_run_retries_a_failed_message_after_seconds_not_the_visibility_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scripts.local_stack.__main__ import DEFAULT_RETRY_DELAY_SECONDS, _options

    free_ports = ["--port", "0", "--aws-port", "0"]
    monkeypatch.delenv("PV_RETRY_DELAY", raising=False)
    assert _options(free_ports).failure_visibility_timeout == DEFAULT_RETRY_DELAY_SECONDS == 10
    monkeypatch.setenv("PV_RETRY_DELAY", "0")
    assert _options(free_ports).failure_visibility_timeout == 0
    monkeypatch.setenv("PV_RETRY_DELAY", "queue")  # Lambda's behaviour: wait out the queue's visibility timeout
    assert _options(free_ports).failure_visibility_timeout is None
    monkeypatch.setenv("PV_RETRY_DELAY", "soon")
    with pytest.raises(SystemExit):
        _options(free_ports)
