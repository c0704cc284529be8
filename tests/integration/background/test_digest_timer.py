"""A digest's timer on the jobs queue, through jobs.handler on moto: the delayed message the first photo of a burst
queues sends the owner's digest on the events topic (attributes ``owner`` and ``kind=digest``, what the owner's
subscription filters on) and clears it; a second delivery sends nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3

from photovault import composition
from photovault.adapters.dynamodb.notifications import DynamoNotificationRepository
from photovault.adapters.sqs import SqsDigestTimer
from photovault.notifications.digest import DigestConfig, DigestNotices, digest_message
from photovault.ports import EmailOptIn
from tests.integration.api.conftest import EVENTS_TOPIC_ARN, JOBS_QUEUE_URL, TABLE, Stack
from tests.support.events import sqs_event
from tests.support.fakes import Clock, make_photo
from tests.support.lambda_context import lambda_context

OWNER = "alice-0001"


def deliver(message: dict[str, Any]) -> dict[str, Any]:
    from photovault.handlers import jobs

    event = sqs_event([message], queue_arn="arn:aws:sqs:eu-west-1:123456789012:photovault-test-jobs")
    return dict(jobs.handler(event, lambda_context("photovault-test-jobs", timeout_seconds=300)))


def test_the_timer_message_sends_one_digest_on_the_topic(stack: Stack) -> None:
    sqs, sns = boto3.client("sqs", region_name="eu-west-1"), boto3.client("sns", region_name="eu-west-1")
    tap = sqs.create_queue(QueueName="digest-tap")["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=EVENTS_TOPIC_ARN, Protocol="sqs", Endpoint=tap_arn)
    repo = DynamoNotificationRepository(stack.dynamodb, TABLE)
    repo.save_opt_in(OWNER, EmailOptIn(address="alice@example.com", subscription="arn:sub"))
    clock = Clock(now=1.0)  # the burst happened long ago: its quiet period is over
    notices = DigestNotices(repo=repo, timer=SqsDigestTimer(sqs, JOBS_QUEUE_URL), config=DigestConfig(), clock=clock)
    for name in ("a.jpg", "b.jpg"):
        notices.add(make_photo(OWNER, filename=name))
    attributes = sqs.get_queue_attributes(QueueUrl=JOBS_QUEUE_URL, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"  # one timer for the burst, due after the quiet
    body = digest_message(OWNER)

    composition.reset()
    assert deliver({"Body": body}) == {"batchItemFailures": []}
    assert deliver({"Body": body}) == {"batchItemFailures": []}  # a duplicate delivery

    (published,) = [
        json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=tap, MaxNumberOfMessages=10)["Messages"]
    ]
    assert {k: v["Value"] for k, v in published["MessageAttributes"].items()} == {"owner": OWNER, "kind": "digest"}
    assert published["Subject"] == "PhotoVault: 2 photos processed (2 ready)"
    assert "- a.jpg" in published["Message"] and "- b.jpg" in published["Message"]
    pending = repo.pending(OWNER)
    assert pending is not None and not pending.entries and pending.sending_token is None
