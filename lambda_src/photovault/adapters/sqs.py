"""SQS adapters: the jobs queue (a job's next step is one message; a digest's timer is one delayed message) and the
ingest queue as the forwarder fills it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from photovault.adapters.aws import aws_errors
from photovault.jobs.model import job_message
from photovault.notifications.digest import digest_message
from photovault.ports import GroupedMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsJobQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    @aws_errors("SQS")
    def enqueue(self, owner: str, job_id: str) -> None:
        if not self._queue_url:
            raise RuntimeError("JOBS_QUEUE_URL is not set: jobs cannot be queued")
        self._client.send_message(QueueUrl=self._queue_url, MessageBody=job_message(owner, job_id))


class SqsDigestTimer:
    """The digest's timer: a delayed message on the jobs queue (SQS delays at most 15 minutes)."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    @aws_errors("SQS")
    def schedule(self, owner: str, *, delay_seconds: int) -> None:
        if not self._queue_url:
            raise RuntimeError("JOBS_QUEUE_URL is not set: digests cannot be timed")
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=digest_message(owner),
            DelaySeconds=max(0, min(900, delay_seconds)),
        )


class SqsWorkQueue:
    """The ingest queue, a standard queue used as an SQS fair queue: each message carries its tenant (the owner) as
    ``MessageGroupId``, which on a standard queue orders nothing and only tells SQS whose backlog is whose."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    @aws_errors("SQS")
    def send_batch(self, messages: Sequence[GroupedMessage]) -> set[str]:
        if not self._queue_url:
            raise RuntimeError("INGEST_QUEUE_URL is not set: uploads cannot be forwarded")
        if not messages:
            return set()
        response = self._client.send_message_batch(
            QueueUrl=self._queue_url,
            Entries=[
                {"Id": message.entry_id, "MessageBody": message.body, "MessageGroupId": message.group}
                for message in messages
            ],
        )
        return {str(failure["Id"]) for failure in response.get("Failed", [])}
