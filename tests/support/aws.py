"""Create PhotoVault's AWS resources on moto from terraform/resources.json (the one source of their shapes)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.local_stack.provision import table_definition

SPEC_PATH = Path(__file__).resolve().parents[2] / "terraform" / "resources.json"
REGION = "eu-west-1"


def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


def create_table(dynamodb: Any, name: str) -> None:
    """The table exactly as the local stack's provisioner creates it (one definition of it, from resources.json)."""
    dynamodb.create_table(**table_definition(spec()["table"], name))


@dataclass(frozen=True)
class Stack:
    table: str
    originals: str
    derivatives: str
    queue_url: str
    dlq_url: str
    topic_arn: str
    events_queue_url: str  # subscribed to the topic, so tests can read what SNS published

    def env(self) -> dict[str, str]:
        return {
            "TABLE_NAME": self.table,
            "ORIGINALS_BUCKET": self.originals,
            "DERIVATIVES_BUCKET": self.derivatives,
            "EVENTS_TOPIC_ARN": self.topic_arn,
        }


def create_stack(session: Any, prefix: str = "photovault-test") -> Stack:
    """Table, buckets, ingest queue + DLQ with the real S3 → SQS notification, topic with a test subscriber."""
    s = spec()
    ingest = s["ingest"]
    ddb, s3, sqs, sns = (session.client(n, region_name=REGION) for n in ("dynamodb", "s3", "sqs", "sns"))
    table = f"{prefix}-{s['table']['role']}"
    create_table(ddb, table)
    originals, derivatives = f"{prefix}-originals", f"{prefix}-derivatives"
    for bucket in (originals, derivatives):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=originals, VersioningConfiguration={"Status": "Enabled"})
    dlq_url = sqs.create_queue(QueueName=f"{prefix}-{ingest['dlq_role']}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    worker_timeout = s["functions"]["worker"]["timeout"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": ingest["max_receive_count"]}
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}-{ingest['queue_role']}",
        Attributes={
            "VisibilityTimeout": str(worker_timeout * ingest["visibility_timeout_multiplier"]),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=originals,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ingest["s3_events"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": ingest["upload_prefix"]}]}},
                }
            ]
        },
    )
    topic_arn = sns.create_topic(Name=f"{prefix}-{s['topics']['events_role']}")["TopicArn"]
    events_url = sqs.create_queue(QueueName=f"{prefix}-events-tap")["QueueUrl"]
    events_arn = sqs.get_queue_attributes(QueueUrl=events_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=events_arn)
    return Stack(table, originals, derivatives, queue_url, dlq_url, topic_arn, events_url)


def drain(sqs: Any, queue_url: str, *, max_messages: int = 100) -> list[dict[str, Any]]:
    """Receive everything currently visible (deleting nothing)."""
    out: list[dict[str, Any]] = []
    while len(out) < max_messages:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            break
        out.extend(batch)
    return out


# moto's in-process DynamoDB backend does not lock across threads (TransactWriteItems deep-copies every table for its
# rollback while another thread writes: "dictionary changed size during iteration"); DynamoDB applies each request
# atomically. The worker runs a batch's records side by side, so in-process rigs take one request at a time.
_ATOMIC_OPERATIONS = (
    "update_item",
    "put_item",
    "transact_write_items",
    "batch_write_item",
    "get_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
)


@contextlib.contextmanager
def atomic_dynamodb() -> Iterator[None]:
    """moto's DynamoDB backend answering one request at a time, as long as the block runs."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    originals = {name: getattr(DynamoDBBackend, name) for name in _ATOMIC_OPERATIONS}

    def locked(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(self, *args, **kwargs)

        return call

    for name, original in originals.items():
        setattr(DynamoDBBackend, name, locked(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)
