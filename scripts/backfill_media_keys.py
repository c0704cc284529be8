"""Move the derivatives of photos rendered before opaque media keys (issue 13) to a fresh ``media/<media_id>/``.

Photos rendered before media ids keep ``media/<sub>/<photo_id>/``, a folder whose name says whose photo it is. This
script copies their derivatives (S3 CopyObject: no Rekognition, Bedrock or re-render) and points the item at the new
folder; only then does it delete every version of the old folder. Each photo goes through three recorded steps, so
a run stopped anywhere is finished by the next run and nothing is left behind or lost:

1. choose a media id and record it on the item as ``media_pending`` (only while the item has no ``media_id``);
2. copy each derivative into ``media/<media_pending>/`` (a copy again is harmless), then write ``media_id`` and the
   new derivative keys, and ``legacy_media`` = the old folder, only while ``media_pending`` is still this id and no
   run set a ``media_id`` (a reprocess or a delete meanwhile wins: the copy is deleted again);
3. delete every version under ``legacy_media``, then remove ``legacy_media``.

Photos are found per status through the ``gsi1`` status index (Query, never a Scan): those without ``media_id`` that
have derivatives, or with a ``legacy_media`` still to delete. A second run finds nothing.

    python -m scripts.backfill_media_keys --env dev [--dry-run]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from photovault import ids, keys
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.s3 import S3VersionDeleter
from photovault.model import PhotoStatus
from scripts.ops_common import (
    ENVIRONMENTS,
    Names,
    account_id,
    client,
    photo_items,
    progress_bar,
    target,
    target_description,
)

CACHE_CONTROL = "private, max-age=31536000, immutable"  # as the worker writes derivatives (adapters/s3.py)


@dataclass(slots=True)
class MediaBackfillResult:
    selected: int = 0
    moved: int = 0
    legacy_deleted: int = 0  # old folders deleted (this run's moves and earlier runs' unfinished ones)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (owner/photo_id, why)


def to_move(dynamodb: Any, table: str) -> Iterator[dict[str, Any]]:
    """Photo items (as stored) still on the old scheme, or whose old folder is still to delete."""
    return photo_items(
        dynamodb,
        table,
        filter_expression="(attribute_not_exists(media_id) AND attribute_exists(derivatives))"
        " OR attribute_exists(legacy_media)",
    )


class MediaMover:
    def __init__(self, *, dynamodb: Any, s3: Any, table: str, bucket: str) -> None:
        self._ddb = dynamodb
        self._s3 = s3
        self._table = table
        self._bucket = bucket
        self._deleter = S3VersionDeleter(s3, bucket)

    def move(self, item: dict[str, Any], result: MediaBackfillResult) -> None:
        owner, photo_id = str(item["owner"]), str(item["photo_id"])
        key = {"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}
        if not item.get("media_id"):
            legacy = keys.legacy_media_prefix(owner, photo_id)
            derivatives = dict(item.get("derivatives") or {})
            if not all(str(d.get("key", "")).startswith(legacy) for d in derivatives.values()):
                result.skipped.append((f"{owner}/{photo_id}", "derivatives outside its own old folder"))
                return
            media_id = str(item.get("media_pending") or "") or self._reserve(key)
            if not media_id:
                result.skipped.append((f"{owner}/{photo_id}", "changed meanwhile (a run or a delete)"))
                return
            moved = self._copy(derivatives, media_id)
            if not self._point(key, media_id, moved, legacy):
                self._deleter.delete_all_versions_under(keys.media_prefix(media_id))
                result.skipped.append((f"{owner}/{photo_id}", "changed meanwhile (a run or a delete): copy removed"))
                return
            result.moved += 1
            item = {**item, "legacy_media": legacy}
        self._delete_legacy(key, str(item["legacy_media"]), owner, photo_id)
        result.legacy_deleted += 1

    def _reserve(self, key: dict[str, str]) -> str:
        media_id = ids.new_media_id()
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=serialize(key),
                UpdateExpression="SET media_pending = :mid",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(media_id)"
                " AND attribute_not_exists(media_pending)",
                ExpressionAttributeValues=serialize({":mid": media_id}),
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return ""
        return media_id

    def _copy(self, derivatives: dict[str, Any], media_id: str) -> dict[str, Any]:
        moved: dict[str, Any] = {}
        for kind, derivative in derivatives.items():
            target_key = f"{keys.media_prefix(media_id)}{kind}.webp"
            self._s3.copy_object(
                Bucket=self._bucket,
                Key=target_key,
                CopySource={"Bucket": self._bucket, "Key": str(derivative["key"])},
                MetadataDirective="REPLACE",
                ContentType="image/webp",
                CacheControl=CACHE_CONTROL,
            )
            moved[kind] = {**derivative, "key": target_key}
        return moved

    def _point(self, key: dict[str, str], media_id: str, derivatives: dict[str, Any], legacy: str) -> bool:
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=serialize(key),
                UpdateExpression="SET media_id = :mid, derivatives = :derivatives, legacy_media = :legacy "
                "REMOVE media_pending",
                ConditionExpression="media_pending = :mid AND attribute_not_exists(media_id)",
                ExpressionAttributeValues=serialize({":mid": media_id, ":derivatives": derivatives, ":legacy": legacy}),
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _delete_legacy(self, key: dict[str, str], legacy: str, owner: str, photo_id: str) -> None:
        if legacy != keys.legacy_media_prefix(owner, photo_id):  # only ever this photo's own old folder
            raise ValueError(f"{owner}/{photo_id}: legacy_media {legacy!r} is not its old folder")
        self._deleter.delete_all_versions_under(legacy)
        with contextlib.suppress(self._ddb.exceptions.ConditionalCheckFailedException):  # purged meanwhile
            self._ddb.update_item(
                TableName=self._table,
                Key=serialize(key),
                UpdateExpression="REMOVE legacy_media",
                ConditionExpression="attribute_exists(pk)",
            )


def backfill(
    items: list[dict[str, Any]],
    *,
    dynamodb: Any,
    s3: Any,
    table: str,
    bucket: str,
    dry_run: bool = False,
    show_progress: bool = True,
) -> MediaBackfillResult:
    mover = MediaMover(dynamodb=dynamodb, s3=s3, table=table, bucket=bucket)
    result = MediaBackfillResult(selected=len(items))
    with progress_bar(len(items), "media keys", disable=not show_progress) as bar:
        for item in items:
            bar.update()
            if item.get("status") == PhotoStatus.PROCESSING.value:
                result.skipped.append((f"{item['owner']}/{item['photo_id']}", "being processed (it renders anew)"))
                continue
            if not dry_run:
                mover.move(item, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="backfill_media_keys", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--dry-run", action="store_true", help="count what would be moved")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)

    dynamodb = client("dynamodb")
    names = Names.for_environment(args.env, account_id(client("sts")))
    items = list(to_move(dynamodb, names.table))
    print(f"{target_description()}: {len(items)} photo(s) on the old media keys in {names.table}", file=sys.stderr)
    result = backfill(
        items,
        dynamodb=dynamodb,
        s3=client("s3"),
        table=names.table,
        bucket=names.derivatives_bucket,
        dry_run=args.dry_run,
        show_progress=not args.no_progress,
    )
    print(f"selected {result.selected}, moved {result.moved}, old folders deleted {result.legacy_deleted}")
    for which, why in result.skipped:
        print(f"  skipped {which}: {why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
