"""The worker on moto, driven like the integration tests drive it: real S3 → SQS notification, real adapters,
fake Rekognition/Bedrock *clients* (tests/support/fake_ai.py) that can answer after a realistic latency."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.fake_ai import FakeBedrockClient, FakeRekognitionClient

QUIET_ENV = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "PhotoVault",
    "POWERTOOLS_LOG_LEVEL": "WARNING",  # one JSON log line per photo would bury the results table
}


@contextlib.contextmanager
def environment(values: dict[str, str], *, drop: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and drop) environment variables for the block, restoring them afterwards."""
    saved = {name: os.environ.get(name) for name in (*values, *drop)}
    os.environ.update(values)
    for name in drop:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Latency:
    """Makes every call take ``seconds`` in total (the fake's own work included) and memoises answers per image,
    so with zero latency the fakes cost next to nothing and the worker's own work is what is measured."""

    def __init__(self, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.seconds = seconds
        self._sleep = sleep
        self._memo: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.calls = 0

    def call(self, operation: str, image: bytes, answer: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        started = time.perf_counter()
        key = (operation, hashlib.blake2b(image, digest_size=16).hexdigest())
        with self._lock:
            self.calls += 1
            cached: dict[str, Any] | None = self._memo.get(key)
        if cached is None:
            cached = answer()
            with self._lock:
                self._memo[key] = cached
        remaining = self.seconds - (time.perf_counter() - started)
        if remaining > 0:
            self._sleep(remaining)
        return cached


class SlowRekognition(FakeRekognitionClient):
    """The test fake Rekognition client, each call taking ``latency`` seconds like the real service."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = _Latency(latency)

    def detect_labels(self, **kwargs: Any) -> dict[str, Any]:
        image = kwargs["Image"]["Bytes"]
        return self.latency.call("labels", image, lambda: super(SlowRekognition, self).detect_labels(**kwargs))

    def detect_faces(self, **kwargs: Any) -> dict[str, Any]:
        image = kwargs["Image"]["Bytes"]
        return self.latency.call("faces", image, lambda: super(SlowRekognition, self).detect_faces(**kwargs))

    def detect_text(self, **kwargs: Any) -> dict[str, Any]:
        image = kwargs["Image"]["Bytes"]
        return self.latency.call("text", image, lambda: super(SlowRekognition, self).detect_text(**kwargs))

    def detect_moderation_labels(self, **kwargs: Any) -> dict[str, Any]:
        image = kwargs["Image"]["Bytes"]
        return self.latency.call(
            "moderation", image, lambda: super(SlowRekognition, self).detect_moderation_labels(**kwargs)
        )


class SlowBedrock(FakeBedrockClient):
    """The test fake Bedrock client; Converse takes ``latency`` seconds."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = _Latency(latency)

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        prompt = repr(kwargs["messages"][0]["content"][-1]).encode()
        return self.latency.call("converse", prompt, lambda: super(SlowBedrock, self).converse(**kwargs))


@dataclass
class WorkerRig:
    """A moto stack with the worker's use case wired to latency-controlled fake AI clients."""

    stack: Any
    session: Any
    rekognition: SlowRekognition
    bedrock: SlowBedrock

    def use_case(self) -> Any:
        from photovault.adapters.bedrock import BedrockTextGenerator
        from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
        from photovault.adapters.rekognition import RekognitionAnalyzer
        from photovault.adapters.s3 import S3MediaStore, S3OriginalStore, S3VersionDeleter
        from photovault.adapters.sns import SnsNotifier
        from photovault.images import ImageLimits
        from photovault.pipeline.ingest import IngestConfig, IngestPhoto
        from tests.support.aws import REGION

        s3 = self.session.client("s3", region_name=REGION)
        return IngestPhoto(
            originals=S3OriginalStore(s3),
            media=S3MediaStore(s3, self.stack.derivatives),
            repository=DynamoPhotoRepository(self.session.client("dynamodb", region_name=REGION), self.stack.table),
            analyzer=RekognitionAnalyzer(self.rekognition),
            captioner=BedrockTextGenerator(self.bedrock, "anthropic.claude-3-haiku-20240307-v1:0"),
            notifier=SnsNotifier(self.session.client("sns", region_name=REGION), self.stack.topic_arn),
            uploads=S3VersionDeleter(s3, self.stack.originals),
            config=IngestConfig(limits=ImageLimits()),
        )

    def upload(self, data: bytes, owner: str) -> str:
        """What the browser does: ``POST /uploads`` (the PENDING photo item), then the upload; returns the id."""
        from photovault.adapters.dynamodb.codec import photo_item, serialize
        from photovault.ids import new_photo_id
        from photovault.model import Photo, PhotoStatus
        from tests.support.aws import REGION

        photo_id = new_photo_id()
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        pending = Photo(owner, photo_id, PhotoStatus.PENDING, now, now, filename="photo.jpg")
        dynamodb = self.session.client("dynamodb", region_name=REGION)
        dynamodb.put_item(TableName=self.stack.table, Item=serialize(photo_item(pending)))
        s3 = self.session.client("s3", region_name=REGION)
        s3.put_object(Bucket=self.stack.originals, Key=f"uploads/{owner}/{photo_id}", Body=data)
        return photo_id

    def take_messages(self) -> list[dict[str, Any]]:
        """Receive and delete what the ingest queue holds (the event source mapping's job)."""
        from tests.support.aws import REGION, drain

        sqs = self.session.client("sqs", region_name=REGION)
        messages = drain(sqs, self.stack.queue_url)
        for message in messages:
            sqs.delete_message(QueueUrl=self.stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return messages

    def invoke(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """One worker invocation with the SQS event Lambda would deliver; its stdout (EMF metrics) is discarded."""
        from photovault.handlers import worker
        from tests.support.events import sqs_event
        from tests.support.lambda_context import lambda_context

        with contextlib.redirect_stdout(io.StringIO()):
            context = lambda_context("photovault-bench-worker", timeout_seconds=120)
            response: dict[str, Any] = worker.handler(sqs_event(messages), context)
        return response

    def status(self, owner: str, photo_id: str) -> str | None:
        from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
        from tests.support.aws import REGION

        photo = DynamoPhotoRepository(self.session.client("dynamodb", region_name=REGION), self.stack.table).get(
            owner, photo_id
        )
        return photo.status.value if photo else None


@contextlib.contextmanager
def worker_rig(*, rekognition_latency: float, bedrock_latency: float) -> Iterator[WorkerRig]:
    """moto + the stack from terraform/resources.json + the worker handler pointed at the rig's use case."""
    with environment(QUIET_ENV, drop=("AWS_ENDPOINT_URL",)):
        import boto3
        from moto import mock_aws

        from photovault import composition
        from photovault.adapters import clients
        from tests.support.aws import REGION, atomic_dynamodb, create_stack

        clients.reset()
        with mock_aws(), atomic_dynamodb():  # the worker's records run side by side; moto's backend is not atomic
            session = boto3.session.Session(region_name=REGION)
            rig = WorkerRig(
                create_stack(session), session, SlowRekognition(rekognition_latency), SlowBedrock(bedrock_latency)
            )
            rig.take_messages()  # S3's s3:TestEvent for the new notification configuration
            composition.override(ingest=rig.use_case())
            try:
                yield rig
            finally:
                composition.reset()
        clients.reset()
