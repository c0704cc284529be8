"""SQS adapter: the jobs queue (a job's next step is one message; a digest's timer is one delayed message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from photovault.adapters.aws import aws_errors
from photovault.jobs.model import job_message
from photovault.notifications.digest import digest_message

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
