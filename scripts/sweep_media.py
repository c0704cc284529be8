"""Sweep media folders no photo points at (issue 13): a crash between a run's render and its item write leaves a
``media/<media_id>/`` folder that nothing references and no purge will ever find.

The worker renders into a fresh folder and then points the photo item at it; a reprocess deletes the previous folder
only after the item points at the new one, and the purge deletes what a removed item names. Only a run that died in
between (a timeout, a crash, a lost claim) leaves a folder behind. This script lists the opaque folders of the
derivatives bucket with the newest version in each, then — after listing, so an item written meanwhile is seen —
every media id the table references (``media_id``, and ``media_pending`` of a media-key backfill in progress), per
status through the ``gsi1`` status index (Query, never a Scan). A folder that is referenced by nothing and whose newest
object is older than ``--older-than-hours`` (default 24: far beyond a run's two minutes) loses every version.
Idempotent: a second run finds nothing to sweep. Old-scheme folders (``media/<sub>/<id>/``) are left to the purge and
``scripts/backfill_media_keys.py``.

    python -m scripts.sweep_media --env dev [--older-than-hours 24] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from photovault import ids, keys
from photovault.adapters.s3 import S3VersionDeleter
from scripts.ops_common import ENVIRONMENTS, Names, account_id, client, photo_items, target, target_description

MEDIA_ROOT = "media/"


@dataclass(slots=True)
class SweepResult:
    folders: int = 0
    referenced: int = 0
    young: int = 0  # unreferenced but too recent: a run may be between its render and its item write
    swept: list[str] = field(default_factory=list)  # media ids whose folders were deleted (or would be, dry run)
    versions_deleted: int = 0


def media_folders(s3: Any, bucket: str) -> dict[str, datetime]:
    """Every opaque media folder with the time of its newest version or delete marker."""
    newest: dict[str, datetime] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=MEDIA_ROOT):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            parts = str(version["Key"]).split("/")
            if len(parts) >= 3 and ids.is_media_id(parts[1]):
                at = version["LastModified"]
                newest[parts[1]] = max(newest.get(parts[1], at), at)
    return newest


def referenced_media_ids(dynamodb: Any, table: str) -> set[str]:
    """Every media id a photo item names (two attributes projected)."""
    found: set[str] = set()
    for item in photo_items(dynamodb, table, projection="media_id, media_pending"):
        found.update(str(value) for value in item.values() if value)
    return found


def sweep(
    *,
    dynamodb: Any,
    s3: Any,
    table: str,
    bucket: str,
    older_than: timedelta,
    now: datetime | None = None,
    dry_run: bool = False,
) -> SweepResult:
    folders = media_folders(s3, bucket)  # first: an item written after this read names a folder already listed
    referenced = referenced_media_ids(dynamodb, table)
    cutoff = (now or datetime.now(UTC)) - older_than
    result = SweepResult(folders=len(folders))
    deleter = S3VersionDeleter(s3, bucket)
    for media_id, newest in sorted(folders.items()):
        if media_id in referenced:
            result.referenced += 1
        elif newest > cutoff:
            result.young += 1
        else:
            result.swept.append(media_id)
            if not dry_run:
                result.versions_deleted += deleter.delete_all_versions_under(keys.media_prefix(media_id))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sweep_media", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--older-than-hours", type=float, default=24.0, help="age of an unreferenced folder to sweep")
    parser.add_argument("--dry-run", action="store_true", help="list what would be swept")
    args = parser.parse_args(argv)
    if args.older_than_hours < 1:
        parser.error("--older-than-hours must be at least 1: a run may be between its render and its item write")
    target(args.env)

    names = Names.for_environment(args.env, account_id(client("sts")))
    result = sweep(
        dynamodb=client("dynamodb"),
        s3=client("s3"),
        table=names.table,
        bucket=names.derivatives_bucket,
        older_than=timedelta(hours=args.older_than_hours),
        dry_run=args.dry_run,
    )
    print(f"{target_description()}: {result.folders} media folder(s) in {names.derivatives_bucket}", file=sys.stderr)
    print(
        f"referenced {result.referenced}, too recent {result.young}, "
        f"{'would sweep' if args.dry_run else 'swept'} {len(result.swept)} ({result.versions_deleted} versions)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
