"""Fairness across the ingest queue (issue 13): one person's burst does not hold back another person's upload.

The whole path runs: POST /api/uploads and the presigned POST, S3 → the intake queue → the forwarder, which sets
MessageGroupId = owner → the ingest queue, served as an SQS fair queue (emulated locally: ``fair_queue.py``) → the
real worker handler (Rekognition and embeddings replaced by the test fakes, so the test measures order, not models).
The worker is held until both uploads are queued, so what is measured is the queue's order, not a race with it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from photovault import composition, keys
from photovault.adapters.rekognition import RekognitionAnalyzer
from photovault.pipeline.events import parse_body
from photovault.pipeline.fairness import fair_order
from scripts.local_stack.fair_queue import FairQueue
from scripts.local_stack.provision import LOCAL_EMBEDDING_DIMENSION, ensure_user
from scripts.local_stack.seed import DemoPhoto, upload
from scripts.local_stack.stack import LocalStack, StackOptions
from tests.integration.local_stack_fixture import sign_in, small_jpegs, token_sub, wait_until
from tests.support.fake_ai import FakeRekognitionClient
from tests.support.fake_meaning import ConceptEmbedder

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-stack-fair-queue")]

BURST = 40
BOB = ("bob@photovault.local", "PhotoVault-bob-1!")
SETTLE_SECONDS = 300.0  # 41 photos through the real pipeline on a loaded 2-core machine


class HeldWorker:
    """The worker handler, held until ``release`` and journaling which photo each record it finished announced (in
    the order the worker runs a batch's records)."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.finished: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.released.wait(SETTLE_SECONDS)
        from photovault.handlers import worker

        with self._lock:
            if not self.finished:  # the stack resets the composition root when it starts: wire the fakes now
                composition.override(
                    analyzer=RekognitionAnalyzer(FakeRekognitionClient()),
                    captioner=None,
                    embedder=ConceptEmbedder(dimension=LOCAL_EMBEDDING_DIMENSION),
                )

        response = worker.handler(event, context)
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        with self._lock:
            for record in fair_order(event["Records"]):
                if record["messageId"] not in failed:
                    self.finished += [source.photo_id for source in parse_body(record["body"]).sources]
        return response


@pytest.fixture(scope="module")
def held() -> HeldWorker:
    return HeldWorker()


@pytest.fixture(scope="module")
def stack(held: HeldWorker) -> Iterator[LocalStack]:
    options = StackOptions(seed=False, worker_handler=held, api_init=None, worker_init=None)
    try:
        with LocalStack(options) as local:
            yield local
    finally:
        composition.reset()


def _depth(stack: LocalStack, url: str) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _statuses(stack: LocalStack, owner: str) -> dict[str, str]:
    page = stack.client("dynamodb").query(
        TableName=stack.resources.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :photo)",
        ExpressionAttributeValues={":pk": {"S": keys.user_pk(owner)}, ":photo": {"S": keys.PHOTO_PREFIX}},
        ConsistentRead=True,
    )
    items = [{k: TypeDeserializer().deserialize(v) for k, v in raw.items()} for raw in page["Items"]]
    return {str(item["photo_id"]): str(item["status"]) for item in items}


def test_a_single_upload_is_finished_before_most_of_another_persons_earlier_burst(
    stack: LocalStack, held: HeldWorker
) -> None:
    # Given alice and bob signed in
    resources = stack.resources
    alice = sign_in(stack, resources.demo_username, resources.demo_password)["IdToken"]
    ensure_user(stack.client("cognito-idp"), resources.user_pool_id, *BOB)
    bob = sign_in(stack, *BOB)["IdToken"]
    photos = small_jpegs(BURST + 1)

    # When alice uploads a burst of 40 photos, and only then bob uploads one
    with ThreadPoolExecutor(10) as pool:
        burst = list(pool.map(lambda i: upload(stack.url, alice, DemoPhoto(f"a-{i:02d}.jpg", photos[i])), range(BURST)))
    single = upload(stack.url, bob, DemoPhoto("b.jpg", photos[BURST]))
    # (every notification has gone through the forwarder into the ingest queue before the worker starts; the queue
    # also holds S3's test event, which the worker ignores)
    wait_until(lambda: _depth(stack, resources.intake_queue_url) == 0, timeout=60)
    wait_until(lambda: _depth(stack, resources.queue_url) >= BURST + 1, timeout=60)
    held.released.set()

    # Then every photo ends READY, each handled by the worker exactly once
    everyone = [*burst, single]
    wait_until(lambda: len(held.finished) >= len(everyone), timeout=SETTLE_SECONDS, interval=0.5)
    assert Counter(held.finished) == Counter(everyone)
    statuses = {**_statuses(stack, token_sub(alice)), **_statuses(stack, token_sub(bob))}
    assert {statuses[photo_id] for photo_id in everyone} == {"READY"}
    # And bob's photo was finished before most of alice's: within the first two batches (the first may have been
    # taken before bob's upload was queued), ahead of at least 20 of the 40
    batch = int(resources.ingest["batch_size"])
    position = held.finished.index(single) + 1
    assert position <= 2 * batch, f"bob's photo finished {position}th of {len(everyone)}"


# ---------------------------------------------------------------- the emulated scheduling alone, on moto


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("sqs", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")


def _send(sqs: Any, url: str, group: str, count: int) -> None:
    for n in range(count):
        sqs.send_message(QueueUrl=url, MessageBody=f"{group}-{n}", MessageGroupId=group)


def test_the_least_served_group_goes_first_and_each_group_keeps_its_order(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="ingest")["QueueUrl"]
    _send(sqs, url, "alice", 30)
    _send(sqs, url, "bob", 2)
    _send(sqs, url, "carol", 1)
    fair = FairQueue(sqs=sqs, queue_url=url, visibility_timeout=720)

    first = [m["Body"] for m in fair.receive(10, 0)]
    assert first[:5] == ["alice-0", "bob-0", "carol-0", "alice-1", "bob-1"]
    assert first[5:] == [f"alice-{n}" for n in range(2, 7)]
    # While alice's first batch is in flight, a new tenant is served before her backlog
    _send(sqs, url, "dave", 1)
    assert [m["Body"] for m in fair.receive(2, 0)] == ["dave-0", "alice-7"]


def test_every_message_is_received_from_sqs_once_however_long_it_waits_in_the_window(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="ingest")["QueueUrl"]
    _send(sqs, url, "alice", 25)
    fair = FairQueue(sqs=sqs, queue_url=url, visibility_timeout=720)
    handed: list[dict[str, Any]] = []
    while batch := fair.receive(10, 0):
        handed += batch
        fair.done(batch)
    assert sorted(m["Body"] for m in handed) == sorted(f"alice-{n}" for n in range(25))
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in handed} == {"1"}
