"""The local stack's stand-in for EventBridge Scheduler puts the worker's pending check on the ingest queue, again and
again, until the stack stops it."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from photovault.pipeline.events import PENDING_CHECK, parse_body
from scripts.local_stack.scheduler import PendingCheckSchedule
from tests.integration.local_stack_fixture import wait_until


def test_the_local_schedule_sends_the_pending_check_the_worker_recognises(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")
        queue_url = sqs.create_queue(QueueName="ingest")["QueueUrl"]
        schedule = PendingCheckSchedule(sqs, queue_url, interval_seconds=0.05)
        schedule.start()
        wait_until(lambda: schedule.sent >= 2, timeout=10)
        schedule.stop()
        sent = schedule.sent
        bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]]
    assert sent >= 2 and len(bodies) >= 2
    assert all(json.loads(body) == PENDING_CHECK and parse_body(body).pending_check for body in bodies)
    assert schedule.sent == sent  # stopped: nothing more is sent
