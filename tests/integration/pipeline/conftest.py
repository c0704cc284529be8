"""Worker on moto: the real S3 → SQS notification, real adapters, fake AI clients in AWS response shapes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault import composition, keys
from photovault.adapters import clients
from photovault.adapters.bedrock import BedrockTextGenerator
from photovault.adapters.dynamodb.codec import deserialize, photo_item, serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.adapters.rekognition import RekognitionAnalyzer
from photovault.adapters.s3 import S3MediaStore, S3OriginalStore, S3VersionDeleter
from photovault.adapters.sns import SnsNotifier
from photovault.handlers import worker
from photovault.ids import new_photo_id
from photovault.images import ImageLimits
from photovault.model import Photo, PhotoStatus
from photovault.pipeline.analysis import RetryPolicy
from photovault.pipeline.ingest import IngestConfig, IngestPhoto
from tests.support.aws import REGION, Stack, atomic_dynamodb, create_stack, drain, spec
from tests.support.events import sqs_event
from tests.support.fake_ai import FakeBedrockClient, FakeRekognitionClient
from tests.support.lambda_context import lambda_context


@dataclass
class Harness:
    stack: Stack
    session: Any
    rekognition: FakeRekognitionClient
    bedrock: FakeBedrockClient
    owner: str = "3f1c7d2a-0b6e-4c55-9a61-0d1f2e3a4b5c"
    sleeps: list[float] = field(default_factory=list)

    @property
    def s3(self) -> Any:
        return self.session.client("s3", region_name=REGION)

    @property
    def sqs(self) -> Any:
        return self.session.client("sqs", region_name=REGION)

    @property
    def ddb(self) -> Any:
        return self.session.client("dynamodb", region_name=REGION)

    def _sleep(self, seconds: float) -> None:
        """Backoff without waiting: the retry clock jumps ahead instead."""
        self.sleeps.append(seconds)

    def _clock(self) -> float:
        return time.monotonic() + sum(self.sleeps)

    def use_case(self, **config: Any) -> IngestPhoto:
        s3 = self.s3
        return IngestPhoto(
            originals=S3OriginalStore(s3),
            media=S3MediaStore(s3, self.stack.derivatives),
            repository=DynamoPhotoRepository(self.ddb, self.stack.table),
            analyzer=RekognitionAnalyzer(self.rekognition),
            captioner=BedrockTextGenerator(self.bedrock, "anthropic.claude-3-haiku-20240307-v1:0"),
            notifier=SnsNotifier(self.session.client("sns", region_name=REGION), self.stack.topic_arn),
            uploads=S3VersionDeleter(s3, self.stack.originals),
            config=IngestConfig(limits=ImageLimits(max_bytes=20 * 1024 * 1024), **config),
            retry=RetryPolicy(base_delay=0.2, max_delay=5.0, sleep=self._sleep, clock=self._clock),
        )

    def request_upload(
        self, owner: str, photo_id: str, filename: str = "photo.jpg", *, created_at: str = "2026-11-25T10:00:00.000Z"
    ) -> None:
        """What POST /uploads does before the browser's upload: the PENDING photo item."""
        pending = Photo(owner, photo_id, PhotoStatus.PENDING, created_at, created_at, filename=filename)
        self.ddb.put_item(TableName=self.stack.table, Item=serialize(photo_item(pending)))

    def upload(self, data: bytes, *, owner: str | None = None, photo_id: str | None = None, requested: bool = True):
        owner = owner or self.owner
        photo_id = photo_id or new_photo_id()
        if requested:
            self.request_upload(owner, photo_id)
        self.s3.put_object(Bucket=self.stack.originals, Key=f"uploads/{owner}/{photo_id}", Body=data)
        return owner, photo_id

    def messages(self) -> list[dict[str, Any]]:
        return drain(self.sqs, self.stack.queue_url)

    def invoke(self, messages: list[dict[str, Any]], *, timeout_seconds: float | None = None) -> dict[str, Any]:
        """One invocation, with the worker's own timeout (terraform/resources.json) unless told otherwise."""
        timeout = timeout_seconds if timeout_seconds is not None else spec()["functions"]["worker"]["timeout"]
        return worker.handler(sqs_event(messages), lambda_context("photovault-test-worker", timeout_seconds=timeout))

    def photo(self, owner: str, photo_id: str) -> dict[str, Any] | None:
        """The photo item as stored (claim and lease fields included)."""
        item = self.ddb.get_item(
            TableName=self.stack.table,
            Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
            ConsistentRead=True,
        ).get("Item")
        return deserialize(item) if item else None

    def notifications(self) -> list[dict[str, Any]]:
        return drain(self.sqs, self.stack.events_queue_url)

    def items(self, pk: str) -> list[dict[str, Any]]:
        raw = self.ddb.query(
            TableName=self.stack.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )["Items"]
        return [deserialize(item) for item in raw]


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch, atomic_moto: None) -> Iterator[Harness]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "PhotoVault")
    clients.reset()
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        h = Harness(create_stack(session), session, FakeRekognitionClient(), FakeBedrockClient())
        # S3 announces a new notification configuration with an s3:TestEvent; start from an empty queue.
        for message in h.messages():
            h.sqs.delete_message(QueueUrl=h.stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
        composition.override(ingest=h.use_case())
        h.configure = lambda **kw: composition.override(ingest=h.use_case(**kw))  # type: ignore[attr-defined]
        yield h
    composition.reset()
    clients.reset()


@pytest.fixture
def atomic_moto() -> Iterator[None]:
    """DynamoDB applies each write to an item atomically; moto's in-process backend does not lock across threads."""
    with atomic_dynamodb():
        yield
