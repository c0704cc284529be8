"""Backfill the library keys (issue 14) of photo items written before them: the timeline / trash / needs-attention
index (gsi3), the favourites index (gsi4), ``taken_sort``, the month counters of the date scrubber, and the search
terms of the date taken, file name and camera.

Items written since are kept right by the code (the worker's terminal write, the API's changes); this script finds
the older ones — no gsi3 key — per status through the ``gsi1`` status index (Query, never a Scan) and moves each
with the library's own write (``DynamoPhotoRepository.save_library_state``: terms first, then the item with its
counters in one transaction, only while the item is as read). Run it once after deploying; a second run finds
nothing left to do. A photo being processed right now is skipped: its terminal write sets the keys itself.

    python -m scripts.backfill_library_keys --env dev [--dry-run] [--min-label-confidence 70]

``--min-label-confidence`` must be the pipeline's (the ``MIN_LABEL_CONFIDENCE`` of the worker, 70 by default), so
the labels indexed stay those the photo pages show.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from photovault.adapters.dynamodb.codec import photo_from_item
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.model import Photo, PhotoStatus
from photovault.search.index import stamp_index
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


@dataclass(slots=True)
class BackfillResult:
    selected: int = 0
    updated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (owner/photo_id, why)


def without_library_keys(dynamodb: Any, table: str) -> Iterator[Photo]:
    """Photo items of every status that have no gsi3 key yet."""
    for item in photo_items(dynamodb, table, filter_expression="attribute_not_exists(gsi3pk)"):
        yield photo_from_item(item)


def backfill(
    photos: list[Photo],
    *,
    dynamodb: Any,
    table: str,
    min_label_confidence: float,
    dry_run: bool = False,
    show_progress: bool = True,
) -> BackfillResult:
    repository = DynamoPhotoRepository(dynamodb, table)
    result = BackfillResult(selected=len(photos))
    with progress_bar(len(photos), "backfill", disable=not show_progress) as bar:
        for photo in photos:
            bar.update()
            if photo.status is PhotoStatus.PROCESSING:
                result.skipped.append((f"{photo.owner}/{photo.photo_id}", "being processed (its finish sets the keys)"))
                continue
            if dry_run:
                continue
            after, postings = stamp_index(photo, min_label_confidence)
            if repository.save_library_state(photo, after, postings):
                result.updated += 1
            else:
                result.skipped.append((f"{photo.owner}/{photo.photo_id}", "changed or deleted meanwhile"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="backfill_library_keys", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--min-label-confidence", type=float, default=70.0, help="the pipeline's (default 70)")
    parser.add_argument("--dry-run", action="store_true", help="count what would be backfilled")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)

    dynamodb = client("dynamodb")
    names = Names.for_environment(args.env, account_id(client("sts")))
    photos = list(without_library_keys(dynamodb, names.table))
    print(f"{target_description()}: {len(photos)} photo(s) without library keys in {names.table}", file=sys.stderr)
    result = backfill(
        photos,
        dynamodb=dynamodb,
        table=names.table,
        min_label_confidence=args.min_label_confidence,
        dry_run=args.dry_run,
        show_progress=not args.no_progress,
    )
    print(f"selected {result.selected}, updated {result.updated}, skipped {len(result.skipped)}")
    for which, why in result.skipped:
        print(f"  skipped {which}: {why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
