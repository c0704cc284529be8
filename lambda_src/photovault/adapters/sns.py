"""SNS on the events topic: per-photo events and per-owner digests (message attributes ``owner`` and ``kind``, so a
subscription filters on them), and the owners' e-mail subscriptions, each filtered to one owner's digests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from photovault.adapters.aws import aws_errors, error_code
from photovault.ports import PhotoEvent

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

PHOTO_KIND = "photo"
DIGEST_KIND = "digest"


def filter_policy(owner: str) -> str:
    """Only this owner's digests: never another user's, never the per-photo events (one mail per burst)."""
    return json.dumps({"owner": [owner], "kind": [DIGEST_KIND]})


def _string(value: str) -> MessageAttributeValueTypeDef:
    return {"DataType": "String", "StringValue": value}


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
                "owner": _string(event.owner),
                "kind": _string(PHOTO_KIND),
                "status": _string(event.status.value),
                "photo_id": _string(event.photo_id),
            },
        )

    @aws_errors("SNS")
    def publish_digest(self, owner: str, *, subject: str, message: str) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:100],
            Message=message,
            MessageAttributes={"owner": _string(owner), "kind": _string(DIGEST_KIND)},
        )


class SnsSubscriptions:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    @aws_errors("SNS")
    def subscribe(self, owner: str, address: str) -> str:
        # ReturnSubscriptionArn: the ARN even while the person has not clicked the confirmation link yet, so that
        # opting out at once can still remove it.
        answer = self._client.subscribe(
            TopicArn=self._topic_arn,
            Protocol="email",
            Endpoint=address,
            Attributes={"FilterPolicy": filter_policy(owner), "FilterPolicyScope": "MessageAttributes"},
            ReturnSubscriptionArn=True,
        )
        return answer["SubscriptionArn"]

    @aws_errors("SNS")
    def unsubscribe(self, subscription: str) -> None:
        try:
            self._client.unsubscribe(SubscriptionArn=subscription)
        except ClientError as exc:
            if error_code(exc) not in {"NotFound", "NotFoundException"}:
                raise

    @aws_errors("SNS")
    def exists(self, subscription: str) -> bool:
        try:
            self._client.get_subscription_attributes(SubscriptionArn=subscription)
        except ClientError as exc:
            if error_code(exc) in {"NotFound", "NotFoundException"}:
                return False
            raise
        return True
