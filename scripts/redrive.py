"""Redrive the ingest dead-letter queue back to the ingest queue once the cause of the failures is fixed
(``--queue intake``: the intake DLQ, S3 notifications the forwarder could not pass on, back to the intake queue;
``--queue jobs``: the jobs DLQ, steps that crashed or timed out on every delivery, back to the jobs queue: their jobs
are still RUNNING and go on from their last checkpoint. A job whose step *raised* on its last delivery ended FAILED
and parked nothing: ``scripts.resume_job`` takes it up again).

AWS: an SQS message move task (``StartMessageMoveTask``), watched until it finishes. The local emulator does not
implement move tasks, so there (or with ``--fallback``) messages are moved by receive → send → delete: a message is
deleted from the DLQ only after the ingest queue accepted it, so none is lost; one that is sent but whose delete
fails is delivered twice, which the pipeline's idempotency (bucket + key + version) absorbs.

    python -m scripts.redrive --env dev [--queue ingest|intake|jobs] [--dry-run] [--rate 50] [--fallback]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from scripts.ops_common import ENVIRONMENTS, Names, account_id, client, progress_bar, target, target_description

_UNSUPPORTED_CODES = {
    "UnsupportedOperation",
    "InvalidAction",
    "NotImplemented",
    "AWS.SimpleQueueService.UnsupportedOperation",
}
_DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED"}


@dataclass(slots=True)
class RedriveResult:
    method: str  # "move-task" | "receive-send-delete" | "dry-run"
    moved: int = 0
    failed: int = 0
    status: str = "COMPLETED"
    details: list[str] = field(default_factory=list)


def queue_arn(sqs: Any, queue_url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def depth(sqs: Any, queue_url: str) -> int:
    """Visible plus in-flight messages (what is left to move)."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))


def peek(sqs: Any, dlq_url: str, limit: int = 10) -> list[str]:
    """What the first parked messages announce (bucket/key), without taking them: they become visible again at once."""
    response = sqs.receive_message(
        QueueUrl=dlq_url, MaxNumberOfMessages=min(limit, 10), VisibilityTimeout=0, WaitTimeSeconds=0
    )
    return [describe(m.get("Body", "")) for m in response.get("Messages", [])]


def describe(body: str) -> str:
    """``s3://bucket/key`` of each record; keys decoded as the worker decodes them (S3 URL-encodes keys in events)."""
    try:
        records = json.loads(body).get("Records") or []
        where = [f"s3://{r['s3']['bucket']['name']}/{unquote_plus(str(r['s3']['object']['key']))}" for r in records]
        return ", ".join(where) or body[:120]
    except (ValueError, KeyError, TypeError, AttributeError):
        return body[:120]


def _is_unsupported(exc: BaseException) -> bool:
    if isinstance(exc, NotImplementedError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return error.get("Code") in _UNSUPPORTED_CODES or status in (500, 501)
    return False


def move_task(
    sqs: Any,
    dlq_url: str,
    dest_url: str,
    *,
    rate: int | None = None,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    show_progress: bool = True,
) -> RedriveResult:
    """Start an SQS message move task DLQ → ingest queue and wait until SQS reports it finished."""
    source = queue_arn(sqs, dlq_url)
    request: dict[str, Any] = {"SourceArn": source, "DestinationArn": queue_arn(sqs, dest_url)}
    if rate:
        request["MaxNumberOfMessagesPerSecond"] = rate
    sqs.start_message_move_task(**request)
    with progress_bar(None, "moving", disable=not show_progress) as bar:
        shown = 0
        while True:
            tasks = sqs.list_message_move_tasks(SourceArn=source, MaxResults=1).get("Results", [])
            task = tasks[0] if tasks else {"Status": "COMPLETED"}
            moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
            bar.update(moved - shown)
            shown = moved
            bar.set_postfix_str(f"{task.get('Status')} of ~{task.get('ApproximateNumberOfMessagesToMove', '?')}")
            if task.get("Status") in _DONE_STATES:
                result = RedriveResult("move-task", moved=moved, status=str(task["Status"]))
                if task.get("FailureReason"):
                    result.details.append(str(task["FailureReason"]))
                return result
            sleep(poll_seconds)


def receive_send_delete(
    sqs: Any,
    dlq_url: str,
    dest_url: str,
    *,
    limit: int | None = None,
    visibility_timeout: int = 120,
    show_progress: bool = True,
) -> RedriveResult:
    """Move messages one batch at a time; each is deleted from the DLQ only after the ingest queue accepted it."""
    result = RedriveResult("receive-send-delete")
    total = depth(sqs, dlq_url) if limit is None else limit
    empty_polls = 0
    with progress_bar(total, "moving", disable=not show_progress) as bar:
        while (limit is None or result.moved < limit) and empty_polls < 2:
            want = 10 if limit is None else max(1, min(10, limit - result.moved))
            messages = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=want,
                VisibilityTimeout=visibility_timeout,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                empty_polls += 1
                continue
            empty_polls = 0
            entries = []
            for index, message in enumerate(messages):
                entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
                if message.get("MessageAttributes"):
                    entry["MessageAttributes"] = message["MessageAttributes"]
                entries.append(entry)
            sent = sqs.send_message_batch(QueueUrl=dest_url, Entries=entries)
            for failure in sent.get("Failed", []):
                result.failed += 1
                result.details.append(f"send failed ({failure.get('Code')}): left in the DLQ")
            accepted = [messages[int(ok["Id"])] for ok in sent.get("Successful", [])]
            if accepted:
                deleted = sqs.delete_message_batch(
                    QueueUrl=dlq_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(accepted)],
                )
                for failure in deleted.get("Failed", []):
                    result.details.append(f"delete failed ({failure.get('Code')}): message may be delivered twice")
            result.moved += len(accepted)
            bar.update(len(accepted))
            if sent.get("Failed"):
                result.status = "PARTIAL"
                break
    return result


def redrive(
    sqs: Any,
    dlq_url: str,
    dest_url: str,
    *,
    rate: int | None = None,
    force_fallback: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    show_progress: bool = True,
) -> RedriveResult:
    """Move task where SQS supports it, the receive → send → delete path where it does not."""
    if not force_fallback:
        try:
            return move_task(sqs, dlq_url, dest_url, rate=rate, sleep=sleep, show_progress=show_progress)
        except (ClientError, NotImplementedError) as exc:
            if not _is_unsupported(exc):
                raise
    return receive_send_delete(sqs, dlq_url, dest_url, show_progress=show_progress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="redrive", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS, help="environment (workspace) or 'local'")
    parser.add_argument(
        "--queue", choices=("ingest", "intake", "jobs"), default="ingest", help="whose DLQ (default ingest)"
    )
    parser.add_argument("--dry-run", action="store_true", help="show what is parked, move nothing")
    parser.add_argument("--rate", type=int, default=None, help="max messages per second (move task only)")
    parser.add_argument("--fallback", action="store_true", help="use receive → send → delete even on AWS")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)

    sqs = client("sqs")
    names = Names.for_environment(args.env, account_id(client("sts")))
    dlq, queue = {
        "ingest": (names.ingest_dlq, names.ingest_queue),
        "intake": (names.intake_dlq, names.intake_queue),
        "jobs": (names.jobs_dlq, names.jobs_queue),
    }[args.queue]
    dlq_url = sqs.get_queue_url(QueueName=dlq)["QueueUrl"]
    dest_url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    parked = depth(sqs, dlq_url)
    print(f"{target_description()}: {dlq} holds {parked} message(s)", file=sys.stderr)
    if args.dry_run or parked == 0:
        for line in peek(sqs, dlq_url):
            print(f"  {line}")
        return 0
    result = redrive(
        sqs, dlq_url, dest_url, rate=args.rate, force_fallback=args.fallback, show_progress=not args.no_progress
    )
    print(f"{result.method}: moved {result.moved}, failed {result.failed}, status {result.status}")
    for line in result.details:
        print(f"  {line}", file=sys.stderr)
    return 0 if result.status == "COMPLETED" and result.failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
