"""SQS adapter: the jobs queue (a job's next step is one message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from photovault.adapters.aws import aws_errors
from photovault.jobs.model import job_message

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
