"""Backfill the stored-bytes quota (issue 13) with the photos stored before quotas existed.

A photo uploaded under quotas is counted by its upload request and settled to its real size; a photo stored before
has never been counted, so its owner's ``bytes`` is too low by its size. This script finds the photos that keep
their bytes (READY, QUARANTINED) and were created before ``--before`` (when quotas were deployed) per status
through the ``gsi1`` status index (Query, never a Scan), and counts each with the worker's own write for a redriven
upload (``DynamoPhotoRepository.count_stored_bytes``): once per photo (a marker item), never while an upload is
open, creating the owner's quota item when there is none. A second run, or a run interrupted and started again,
counts nothing twice.

    python -m scripts.backfill_quota_bytes --env dev --before 2026-11-30T00:00:00Z [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from photovault.adapters.dynamodb.codec import photo_from_item
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.library.quota import stored_bytes
from photovault.model import Photo, PhotoStatus
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

_KEEP_BYTES = (PhotoStatus.READY, PhotoStatus.QUARANTINED)


@dataclass(slots=True)
class QuotaBackfillResult:
    selected: int = 0
    counted: int = 0
    counted_bytes: int = 0
    already: int = 0  # counted before (an earlier run, or the worker after a redrive)


def stored_before(dynamodb: Any, table: str, before: str) -> Iterator[Photo]:
    """Photos that keep their bytes and were created before ``before`` (ISO 8601)."""
    items = photo_items(
        dynamodb, table, statuses=_KEEP_BYTES, filter_expression="created_at < :before", values={":before": before}
    )
    for item in items:
        yield photo_from_item(item)


def backfill(
    photos: list[Photo], *, dynamodb: Any, table: str, dry_run: bool = False, show_progress: bool = True
) -> QuotaBackfillResult:
    repository = DynamoPhotoRepository(dynamodb, table)
    result = QuotaBackfillResult(selected=len(photos))
    with progress_bar(len(photos), "quota bytes", disable=not show_progress) as bar:
        for photo in photos:
            bar.update()
            if dry_run:
                continue
            if repository.count_stored_bytes(photo, create=True):
                result.counted += 1
                result.counted_bytes += stored_bytes(photo)
            else:
                result.already += 1
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="backfill_quota_bytes", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--before", required=True, help="when quotas were deployed (ISO 8601, UTC)")
    parser.add_argument("--dry-run", action="store_true", help="count what would be backfilled")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)

    dynamodb = client("dynamodb")
    names = Names.for_environment(args.env, account_id(client("sts")))
    photos = list(stored_before(dynamodb, names.table, args.before))
    print(f"{target_description()}: {len(photos)} stored photo(s) created before {args.before}", file=sys.stderr)
    result = backfill(
        photos, dynamodb=dynamodb, table=names.table, dry_run=args.dry_run, show_progress=not args.no_progress
    )
    print(
        f"selected {result.selected}, counted {result.counted} ({result.counted_bytes} bytes), "
        f"already counted {result.already}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
