"""SNS implementation of Notifier: message attributes ``owner``, ``status`` and ``photo_id`` allow per-user filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from photovault.adapters.aws import aws_errors
from photovault.ports import PhotoEvent

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class SnsNotifier:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    @aws_errors("SNS")
    def publish(self, event: PhotoEvent) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=event.subject[:100],
            Message=event.message,
            MessageAttributes={
                "owner": {"DataType": "String", "StringValue": event.owner},
                "status": {"DataType": "String", "StringValue": event.status.value},
                "photo_id": {"DataType": "String", "StringValue": event.photo_id},
            },
        )
