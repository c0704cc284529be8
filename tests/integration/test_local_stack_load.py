"""The local stack under load: moto serves one request at a time (its backends are not thread-safe) without letting a
long poll stall the others, the gateway queues a crowd of connections instead of refusing them, and what grows with
uploads is bounded (photos on disk, the table stream's newest records only)."""

from __future__ import annotations

import gc
import http.client
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.sqs.models import Queue

from scripts.local_stack import emulator
from scripts.local_stack.emulator import S3_IN_MEMORY_OBJECT_BYTES
from scripts.local_stack.gateway import LocalGateway
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures
from tests.integration.local_stack_fixture import IngestQueues

local_stack = fixtures.local_stack
ingest_queues = fixtures.ingest_queues

CLIENTS = 50


def test_moto_serves_one_request_at_a_time(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a moto operation that lingers long enough for a concurrent request to overlap it, if one could
    inside = threading.Condition()
    state = {"active": 0, "peak": 0}
    original = DynamoDBBackend.describe_table

    def lingering(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with inside:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
            inside.notify_all()
            inside.wait_for(lambda: state["active"] > 1, timeout=0.3)
        try:
            return original(self, *args, **kwargs)
        finally:
            with inside:
                state["active"] -= 1

    monkeypatch.setattr(DynamoDBBackend, "describe_table", lingering)
    table = local_stack.resources.table_name
    errors: list[BaseException] = []

    def describe() -> None:
        try:
            local_stack.client("dynamodb").describe_table(TableName=table)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # When eight clients ask at the same moment
    threads = [threading.Thread(target=describe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then every answer is right, and no two ran inside moto together
    assert errors == []
    assert state["peak"] == 1


def test_a_long_poll_waits_without_holding_the_emulator(
    local_stack: LocalStack, ingest_queues: IngestQueues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a consumer long-polling an empty queue
    waiting = threading.Event()
    emulator_wait = Queue.wait_for_messages  # the emulator's own, which steps out of the lock

    def spy(queue: Queue, timeout: int) -> None:
        waiting.set()
        emulator_wait(queue, timeout)

    monkeypatch.setattr(Queue, "wait_for_messages", spy)
    received: list[dict[str, Any]] = []
    sqs = local_stack.client("sqs")
    poll = threading.Thread(
        target=lambda: received.extend(
            sqs.receive_message(QueueUrl=ingest_queues.url, WaitTimeSeconds=10).get("Messages", [])
        )
    )
    poll.start()
    assert waiting.wait(30), "the long poll never waited"

    # When a producer sends while the poll waits
    local_stack.client("sqs").send_message(QueueUrl=ingest_queues.url, MessageBody="during the wait")
    poll.join(30)

    # Then the send got through and ended the wait: the poll returns that very message
    assert [m["Body"] for m in received] == ["during the wait"]


@pytest.fixture
def idle_gateway(local_stack: LocalStack) -> Iterator[LocalGateway]:
    """A second gateway with the stack's jobs, bound but not yet accepting: connections can only queue."""
    assert local_stack.gateway is not None and local_stack.gateway.jobs is not None
    gateway = LocalGateway()
    gateway.configure(local_stack.gateway.jobs)
    try:
        yield gateway
    finally:
        gateway.stop()


def test_fifty_clients_connecting_at_once_are_queued_not_refused(idle_gateway: LocalGateway) -> None:
    # Given fifty clients that connect while the gateway is too busy to accept (the listen backlog holds them)
    sockets = [socket.create_connection((idle_gateway.host, idle_gateway.port), timeout=5) for _ in range(CLIENTS)]
    try:
        # When it starts accepting and each asks for a page
        idle_gateway.start()
        statuses = []
        for sock in sockets:
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
        for sock in sockets:
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
            statuses.append(response.status)
    finally:
        for sock in sockets:
            sock.close()
    # Then every one is answered
    assert statuses == [200] * CLIENTS


def test_uploaded_photos_live_on_disk_not_in_memory(local_stack: LocalStack) -> None:
    # moto keeps objects under its buffer size in RAM: a burst of photos grew the stack by their bytes.
    from moto.s3.models import s3_backends

    s3, bucket = local_stack.client("s3"), local_stack.resources.originals_bucket
    s3.put_object(Bucket=bucket, Key="load/photo.jpg", Body=b"p" * (S3_IN_MEMORY_OBJECT_BYTES + 1))
    s3.put_object(Bucket=bucket, Key="load/thumb.webp", Body=b"t" * 1000)

    keys = s3_backends[local_stack.resources.account_id]["global"].buckets[bucket].keys
    assert keys["load/photo.jpg"]._value_buffer._rolled  # a temporary file
    assert not keys["load/thumb.webp"]._value_buffer._rolled
    assert s3.get_object(Bucket=bucket, Key="load/photo.jpg")["Body"].read() == b"p" * (S3_IN_MEMORY_OBJECT_BYTES + 1)


def test_the_table_stream_keeps_its_newest_records(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator, "STREAM_RECORDS_KEPT", 5)
    ddb, table = local_stack.client("dynamodb"), local_stack.resources.table_name
    for index in range(12):
        ddb.put_item(TableName=table, Item={"pk": {"S": "STREAM#test"}, "sk": {"S": f"{index:02d}"}})

    streams = local_stack.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=local_stack.resources.table_stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=local_stack.resources.table_stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]

    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in records] == ["07", "08", "09", "10", "11"]
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == list(range(sequence[0], sequence[0] + 5))


def test_reads_leave_nothing_behind_in_the_emulator(local_stack: LocalStack, ingest_queues: IngestQueues) -> None:
    # moto recorded every instance it created, and every read deep-copies what it answers: a page or a watcher
    # polling during a burst grew the stack by gigabytes (issue 12: 11 GB over 200 uploads).
    from moto.dynamodb.models.table import Item
    from moto.sqs.models import Message

    ddb, table, sqs = local_stack.client("dynamodb"), local_stack.resources.table_name, local_stack.client("sqs")
    key = {"pk": {"S": "READS#test"}, "sk": {"S": "one"}}
    ddb.put_item(TableName=table, Item={**key, "labels": {"SS": ["beach", "sea", "sky"]}})
    sqs.send_message(QueueUrl=ingest_queues.url, MessageBody="read me often")

    def live(kind: type) -> int:
        gc.collect()
        return sum(isinstance(o, kind) for o in gc.get_objects())

    items, messages = live(Item), live(Message)
    for _ in range(50):
        ddb.get_item(TableName=table, Key=key)
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": key["pk"]})
        sqs.receive_message(QueueUrl=ingest_queues.url, VisibilityTimeout=0)

    assert (live(Item), live(Message)) == (items, messages)
