"""Recount each person's faces: a person's ``face_count`` moves with ADD after its faces are written, not in one
transaction with them (``adapters/dynamodb/people.py``), so a worker that died in between leaves it off by the faces
of one photo. A count that drifted to 0 hides the person from the People page; one too high shows a wrong number.

For each owner (found through the ``gsi1`` status index: one paginated Query per status, never a Scan), each person
item's count is compared with the number of the person's active faces (a ``Select=COUNT`` Query of ``gsi4``) and,
when they differ, set with a write conditional on the count just read, so a worker adding faces meanwhile is never
overwritten (that person is reported as changed and left for the next run). Idempotent; ``--dry-run`` only reports.
``gsi4`` is eventually consistent: run it when no upload is being processed for the owner, or twice.

    python -m scripts.recount_faces --env dev [--owner <sub>] [--dry-run]
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from photovault import keys
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.dynamodb.table import applied, partition
from scripts.ops_common import ENVIRONMENTS, Names, account_id, client, photo_items, target, target_description


@dataclass(slots=True)
class RecountResult:
    people: int = 0
    fixed: list[str] = field(default_factory=list)  # "<owner>/<person_id>: <was> -> <now>"
    changed_meanwhile: list[str] = field(default_factory=list)


def owners(dynamodb: Any, table: str) -> list[str]:
    """Every owner with a photo of any status."""
    found = {str(item["pk"]).removeprefix("USER#") for item in photo_items(dynamodb, table, projection="pk")}
    return sorted(found)


def person_counts(dynamodb: Any, table: str, owner: str) -> list[tuple[str, int]]:
    """(person id, stored face_count) of each of the owner's people."""
    return [
        (str(item["sk"]).removeprefix(keys.PERSON_PREFIX), int(item.get("face_count", 0)))
        for item in partition(dynamodb, table, keys.user_pk(owner), prefix=keys.PERSON_PREFIX)
    ]


def active_faces(dynamodb: Any, table: str, owner: str, person_id: str) -> int:
    """How many active faces the person has: its ``gsi4`` key range, counted by DynamoDB (no item is returned)."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": keys.GSI4,
        "KeyConditionExpression": "gsi4pk = :pk",
        "ExpressionAttributeValues": serialize({":pk": keys.person_gsi4pk(owner, person_id)}),
        "Select": "COUNT",
    }
    total = 0
    while True:
        page = dynamodb.query(**request)
        total += int(page.get("Count", 0))
        if "LastEvaluatedKey" not in page:
            return total
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def recount(dynamodb: Any, table: str, owner_ids: Iterable[str], *, dry_run: bool = False) -> RecountResult:
    result = RecountResult()
    for owner in owner_ids:
        for person_id, stored in person_counts(dynamodb, table, owner):
            result.people += 1
            actual = active_faces(dynamodb, table, owner, person_id)
            if actual == stored:
                continue
            line = f"{owner}/{person_id}: {stored} -> {actual}"
            if dry_run:
                result.fixed.append(line)
                continue
            written = applied(
                functools.partial(
                    dynamodb.update_item,
                    TableName=table,
                    Key=serialize({"pk": keys.user_pk(owner), "sk": keys.person_sk(person_id)}),
                    UpdateExpression="SET face_count = :actual",
                    ConditionExpression="attribute_exists(pk) AND (face_count = :stored OR "
                    "(attribute_not_exists(face_count) AND :stored = :zero))",
                    ExpressionAttributeValues=serialize({":actual": actual, ":stored": stored, ":zero": 0}),
                )
            )
            (result.fixed if written else result.changed_meanwhile).append(line)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="recount_faces", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--owner", help="only this owner (Cognito sub); default every owner")
    parser.add_argument("--dry-run", action="store_true", help="report the counts that are off, change nothing")
    args = parser.parse_args(argv)
    target(args.env)

    dynamodb = client("dynamodb")
    names = Names.for_environment(args.env, account_id(client("sts")))
    owner_ids = [args.owner] if args.owner else owners(dynamodb, names.table)
    print(f"{target_description()}: recounting the faces of {len(owner_ids)} owner(s)", file=sys.stderr)
    result = recount(dynamodb, names.table, owner_ids, dry_run=args.dry_run)
    verb = "would fix" if args.dry_run else "fixed"
    print(f"people {result.people}, {verb} {len(result.fixed)}, changed meanwhile {len(result.changed_meanwhile)}")
    for line in result.fixed:
        print(f"  {verb}: {line}")
    for line in result.changed_meanwhile:
        print(f"  changed while recounting (run again): {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
