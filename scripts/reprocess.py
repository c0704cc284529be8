"""Reprocess photos (all, by status, by date, or one user's) — e.g. after a model or prompt change.

For each selected photo: mark the photo item for reprocessing (attribute ``reprocess``, which the worker's claim
honours once and removes), then enqueue an S3 ``ObjectCreated`` event for the exact original object version, in the
shape S3 itself sends. The worker keeps the provenance of the earlier run in ``provenance.history``.

Selection never scans: by status (and date) it queries the ``gsi1`` status index (``STATUS#<status>``,
``<updated_at>#<photo_id>``); for one user it queries that user's partition, where photo ids (UUIDv7) sort by
creation time, so a date range is a key range.

    python -m scripts.reprocess --env dev --status READY --since 2026-01-01 [--until 2026-02-01] [--dry-run]
    python -m scripts.reprocess --env dev --all
    python -m scripts.reprocess --env dev --user <sub> [--since …]
    python -m scripts.reprocess --env dev --status READY --steps embed   # add vectors, repeat no paid analysis
    python -m scripts.reprocess --env dev --status READY --steps place   # name the places of geotagged photos

``--steps embed`` runs only the embedding step on READY photos: the earlier analysis and caption are reused (no
Rekognition or caption call is paid again), the vector is (re)written, and the photo's provenance records the
step (``steps: ["embed"]``, with the run's id and reason under ``reprocess``). ``--steps place`` does the same for
the place: photos processed before places existed (or whose geocoding failed) get their city, region and country,
their place search terms and facets, and their point on the map; a photo without GPS stays as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError

from photovault.model import PhotoStatus
from scripts.ops_common import ENVIRONMENTS, Names, account_id, chunks, client, progress_bar, target, target_description

# FAILED included: a photo the pipeline gave up on is reprocessed like any other finished one.
TERMINAL_STATUSES = tuple(status.value for status in PhotoStatus if status.terminal)
ALL_STATUSES = tuple(status.value for status in PhotoStatus)
GSI1 = "gsi1"
PROCESSING = "PROCESSING"
# Steps that can run alone (photovault.pipeline.ingest.REUSABLE_STEPS): the worker reuses everything else.
STEPS = ("embed", "place")


@dataclass(frozen=True, slots=True)
class PhotoRef:
    owner: str
    photo_id: str
    status: str
    updated_at: str = ""
    source_fingerprint: str = ""

    @property
    def key(self) -> str:
        return f"uploads/{self.owner}/{self.photo_id}"


@dataclass(slots=True)
class ReprocessResult:
    run_id: str
    selected: int = 0
    marked: int = 0
    enqueued: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (photo_id, why)


# ------------------------------------------------------------------------------------------------ selection


def _iso_day(value: str, *, end: bool = False) -> str:
    """``2026-01-31`` → an ISO timestamp bound; full timestamps pass through."""
    if len(value) == 10:
        return f"{value}T23:59:59.999999+00:00" if end else f"{value}T00:00:00+00:00"
    return value


def _epoch_ms(value: str, *, end: bool = False) -> int:
    moment = datetime.fromisoformat(_iso_day(value, end=end).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def uuid7_bound(ms: int, *, upper: bool) -> str:
    """The smallest (or largest) UUIDv7 string of millisecond ``ms``: photo ids of that instant sort between them."""
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62
    if upper:
        value |= 0xFFF << 64 | ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def _ref(item: dict[str, Any]) -> PhotoRef:
    def s(name: str) -> str:
        return str(item.get(name, {}).get("S", ""))

    return PhotoRef(
        owner=s("owner"),
        photo_id=s("photo_id") or s("sk").removeprefix("PHOTO#"),
        status=s("status"),
        updated_at=s("updated_at"),
        source_fingerprint=s("source_fingerprint"),
    )


def _paginate(dynamodb: Any, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        page = dynamodb.query(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def select_by_status(
    dynamodb: Any, table: str, statuses: Sequence[str], *, since: str | None = None, until: str | None = None
) -> Iterator[PhotoRef]:
    """Photos in ``statuses`` whose last update lies in [since, until] — one Query per status on ``gsi1``."""
    for status in statuses:
        condition = "gsi1pk = :pk"
        values: dict[str, Any] = {":pk": {"S": f"STATUS#{status}"}}
        if since or until:
            condition += " AND gsi1sk BETWEEN :lo AND :hi"
            values[":lo"] = {"S": _iso_day(since) if since else "0"}
            values[":hi"] = {"S": _iso_day(until, end=True) + "#~" if until else "9999"}
        request = {
            "TableName": table,
            "IndexName": GSI1,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        for item in _paginate(dynamodb, request):
            yield _ref(item)


def select_by_user(
    dynamodb: Any,
    table: str,
    owner: str,
    *,
    statuses: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[PhotoRef]:
    """One user's photos created in [since, until] (a key range: ids are UUIDv7), optionally only some statuses."""
    lo = "PHOTO#" + (uuid7_bound(_epoch_ms(since), upper=False) if since else "")
    hi = "PHOTO#" + (uuid7_bound(_epoch_ms(until, end=True), upper=True) if until else "~")
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":pk": {"S": f"USER#{owner}"}, ":lo": {"S": lo}, ":hi": {"S": hi}},
    }
    for item in _paginate(dynamodb, request):
        ref = _ref(item)
        if statuses is None or ref.status in statuses:
            yield ref


# ------------------------------------------------------------------------------------------------ marking and events


def parse_fingerprint(fingerprint: str) -> tuple[str, str, str] | None:
    """``s3://bucket/key#revision`` → (bucket, key, revision)."""
    if not fingerprint.startswith("s3://"):
        return None
    location, _, revision = fingerprint[5:].partition("#")
    bucket, _, key = location.partition("/")
    return (bucket, key, revision) if bucket and key else None


def mark_for_reprocess(
    dynamodb: Any, table: str, ref: PhotoRef, *, run_id: str, reason: str, now: str, steps: Sequence[str] = ()
) -> bool:
    """Set ``reprocess`` on the photo unless it is being processed right now (then the current run stands).
    ``steps`` (e.g. ``["embed"]``) limits the run to those steps; empty = the whole pipeline."""
    request: dict[str, Any] = {
        "run_id": {"S": run_id},
        "reason": {"S": reason},
        "requested_at": {"S": now},
        "previous_status": {"S": ref.status},
    }
    if steps:
        request["steps"] = {"L": [{"S": step} for step in steps]}
    try:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": f"USER#{ref.owner}"}, "sk": {"S": f"PHOTO#{ref.photo_id}"}},
            UpdateExpression="SET reprocess = :r",
            ConditionExpression="attribute_exists(pk) AND #status <> :processing",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":processing": {"S": PROCESSING},
                ":r": {"M": request},
            },
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def s3_event_body(
    *, bucket: str, key: str, version_id: str | None, etag: str | None, size: int, event_time: str, run_id: str
) -> str:
    """An SQS message body shaped like S3's ``ObjectCreated:Put`` notification (key URL-encoded as S3 does)."""
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "sequencer": uuid.uuid4().hex[:16]}
    if etag:
        obj["eTag"] = etag
    if version_id:
        obj["versionId"] = version_id
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": event_time,
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "photovault-reprocess"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": run_id[:16]},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "photovault-reprocess",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": obj,
        },
    }
    # Ignored by the worker's parser; tells an operator reading the queue or the DLQ where the message came from.
    return json.dumps({"Records": [record], "PhotoVaultReprocess": {"run_id": run_id}})


def reprocess(
    photos: Iterable[PhotoRef],
    *,
    dynamodb: Any,
    s3: Any,
    sqs: Any,
    table: str,
    queue_url: str,
    originals_bucket: str,
    reason: str,
    run_id: str | None = None,
    now: str | None = None,
    dry_run: bool = False,
    show_progress: bool = True,
    steps: Sequence[str] = (),
) -> ReprocessResult:
    """Mark and enqueue each photo; a photo whose original is gone, or that is mid-processing, is skipped."""
    refs = list(photos)
    result = ReprocessResult(run_id=run_id or uuid.uuid4().hex, selected=len(refs))
    stamp = now or datetime.now(UTC).isoformat()
    with progress_bar(len(refs), "reprocess", disable=not show_progress) as bar:
        for batch in chunks(refs, 10):
            entries: list[dict[str, Any]] = []
            for ref in batch:
                bar.update()
                parsed = parse_fingerprint(ref.source_fingerprint)
                bucket, key = (parsed[0], parsed[1]) if parsed else (originals_bucket, ref.key)
                try:
                    head = s3.head_object(Bucket=bucket, Key=key)
                except ClientError:
                    result.skipped.append((ref.photo_id, f"original s3://{bucket}/{key} not found"))
                    continue
                if dry_run:
                    continue
                marked = mark_for_reprocess(
                    dynamodb, table, ref, run_id=result.run_id, reason=reason, now=stamp, steps=steps
                )
                if not marked:
                    result.skipped.append((ref.photo_id, "being processed now (or deleted)"))
                    continue
                result.marked += 1
                version_id = head.get("VersionId") if head.get("VersionId") not in (None, "null") else None
                etag = str(head.get("ETag", "")).strip('"') or None
                if parsed and parsed[2] and parsed[2] == etag and parsed[2] != version_id:
                    # The upload's event named no version (the emulator's events never do): name the object the same
                    # way, or the photo's idempotency key (bucket + key + revision) would change and a late duplicate
                    # of the upload's event would be processed once more.
                    version_id = None
                body = s3_event_body(
                    bucket=bucket,
                    key=key,
                    version_id=version_id,
                    etag=etag,
                    size=int(head.get("ContentLength", 0)),
                    event_time=stamp,
                    run_id=result.run_id,
                )
                entries.append({"Id": str(len(entries)), "MessageBody": body})
            if entries:
                sent = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
                result.enqueued += len(sent.get("Successful", []))
                for failure in sent.get("Failed", []):
                    result.skipped.append((f"entry {failure.get('Id')}", f"send failed: {failure.get('Code')}"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="reprocess", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every photo in a terminal status")
    which.add_argument("--status", action="append", choices=ALL_STATUSES, help="repeatable")
    which.add_argument("--user", help="one user's photos (Cognito sub)")
    parser.add_argument("--user-status", action="append", choices=ALL_STATUSES, help="with --user: only these")
    parser.add_argument("--since", help="YYYY-MM-DD or ISO timestamp (status: last update; user: upload time)")
    parser.add_argument("--until", help="YYYY-MM-DD or ISO timestamp, inclusive")
    parser.add_argument("--reason", default="operator reprocess", help="recorded on each photo")
    parser.add_argument(
        "--steps",
        choices=STEPS,
        action="append",
        help="run only this step on READY photos, reusing their analysis and caption (embed: add search vectors; "
        "place: name where geotagged photos were taken). Repeatable",
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--dry-run", action="store_true", help="list what would be reprocessed")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)

    dynamodb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    names = Names.for_environment(args.env, account_id(client("sts")))
    if args.user:
        selection: Iterable[PhotoRef] = select_by_user(
            dynamodb, names.table, args.user, statuses=args.user_status, since=args.since, until=args.until
        )
    else:
        statuses = TERMINAL_STATUSES if args.all else tuple(args.status)
        selection = select_by_status(dynamodb, names.table, statuses, since=args.since, until=args.until)
    refs = list(selection)[: args.limit] if args.limit else list(selection)
    print(f"{target_description()}: {len(refs)} photo(s) selected in {names.table}", file=sys.stderr)
    if args.dry_run:
        for ref in refs:
            print(f"  {ref.owner}/{ref.photo_id} {ref.status} {ref.updated_at}")
    result = reprocess(
        refs,
        dynamodb=dynamodb,
        s3=s3,
        sqs=sqs,
        table=names.table,
        queue_url=sqs.get_queue_url(QueueName=names.ingest_queue)["QueueUrl"],
        originals_bucket=names.originals_bucket,
        reason=args.reason,
        dry_run=args.dry_run,
        show_progress=not args.no_progress,
        steps=args.steps or (),
    )
    print(
        f"run {result.run_id}: selected {result.selected}, marked {result.marked}, enqueued {result.enqueued}, "
        f"skipped {len(result.skipped)}"
    )
    for photo_id, why in result.skipped:
        print(f"  skipped {photo_id}: {why}", file=sys.stderr)
    return 0 if result.enqueued == result.marked else 1


if __name__ == "__main__":
    raise SystemExit(main())
