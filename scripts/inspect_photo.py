"""Show one photo's full processing record: the item (status, reason, provenance of every run, claim and
reprocess markers), the original's S3 versions, which derivatives exist, the content-hash owner and its shares.

    python -m scripts.inspect_photo --env dev --owner <sub> --photo-id <id> [--json]
    python -m scripts.inspect_photo --env dev --key uploads/<sub>/<id>
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from scripts.ops_common import ENVIRONMENTS, Names, account_id, client, target, target_description

_deserializer = TypeDeserializer()


def plain(value: Any) -> Any:
    """DynamoDB-deserialised values → JSON-friendly (Decimal → int/float, sets → sorted lists)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(_deserializer.deserialize(v)) for k, v in raw.items()}


def _query_all(dynamodb: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**request)
        items += [_item(i) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def inspect_photo(
    *, dynamodb: Any, s3: Any, table: str, originals_bucket: str, derivatives_bucket: str, owner: str, photo_id: str
) -> dict[str, Any]:
    """Everything an operator needs to explain a photo's state, as one JSON-friendly record."""
    record: dict[str, Any] = {"owner": owner, "photo_id": photo_id}
    raw = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"PHOTO#{photo_id}"}}, ConsistentRead=True
    ).get("Item")
    photo = _item(raw) if raw else None
    record["item"] = photo

    key = f"uploads/{owner}/{photo_id}"
    versions: list[dict[str, Any]] = []
    try:
        listing = s3.list_object_versions(Bucket=originals_bucket, Prefix=key)
        for version in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            if version.get("Key") != key:
                continue
            versions.append(
                {
                    "version_id": version.get("VersionId"),
                    "latest": version.get("IsLatest", False),
                    "size": version.get("Size"),
                    "etag": str(version.get("ETag", "")).strip('"') or None,
                    "last_modified": str(version.get("LastModified", "")),
                    "delete_marker": "Size" not in version,
                }
            )
    except ClientError as exc:
        record["original_error"] = exc.response.get("Error", {}).get("Code", str(exc))
    record["original"] = {"bucket": originals_bucket, "key": key, "versions": versions}

    derivatives: dict[str, Any] = {}
    for kind, info in ((photo or {}).get("derivatives") or {}).items():
        derivative_key = info.get("key") if isinstance(info, dict) else None
        if not derivative_key:
            continue
        try:
            head = s3.head_object(Bucket=derivatives_bucket, Key=derivative_key)
            derivatives[kind] = {"key": derivative_key, "exists": True, "size": head.get("ContentLength")}
        except ClientError:
            derivatives[kind] = {"key": derivative_key, "exists": False}
    record["derivatives"] = derivatives

    sha256 = ((photo or {}).get("facts") or {}).get("sha256")
    if sha256:
        hashed = dynamodb.get_item(
            TableName=table, Key={"pk": {"S": f"USER#{owner}#SHA#{sha256}"}, "sk": {"S": "PHOTO"}}
        ).get("Item")
        record["content_hash"] = _item(hashed) if hashed else None

    record["shares"] = [
        {k: v for k, v in share.items() if k not in ("pk", "sk", "gsi2pk", "gsi2sk")}
        for share in _query_all(
            dynamodb,
            {
                "TableName": table,
                "IndexName": "gsi2",
                "KeyConditionExpression": "gsi2pk = :owner",
                "FilterExpression": "photo_id = :photo",
                "ExpressionAttributeValues": {":owner": {"S": f"OWNER#{owner}"}, ":photo": {"S": photo_id}},
            },
        )
    ]
    return record


def render(record: dict[str, Any]) -> str:
    """A human summary: the state first, then the history of runs, then storage."""
    photo = record.get("item")
    lines = [f"photo {record['owner']}/{record['photo_id']}"]
    if not photo:
        lines.append("  no photo item (never uploaded, deleted, or wrong owner)")
    else:
        lines.append(f"  status      {photo.get('status')}  (updated {photo.get('updated_at')})")
        names = ("reason_code", "reason", "duplicate_of", "attempts", "lease_until", "claim_token", "notified_at")
        for name in (*names, "expires_at"):
            if photo.get(name) not in (None, ""):
                lines.append(f"  {name:<11} {photo[name]}")
        error = photo.get("last_error") or {}
        if error:  # why the last attempt failed (a FAILED photo's, or one waiting for its next attempt)
            lines.append(f"  last error  {error.get('code')} at {error.get('at')}: {error.get('detail')}")
        if photo.get("reprocess"):
            lines.append(f"  reprocess   requested: {json.dumps(photo['reprocess'], sort_keys=True)}")
        caption = photo.get("caption") or {}
        if caption:
            lines.append(f"  caption     {caption.get('text')!r} (fallback={caption.get('fallback')})")
        provenance = dict(photo.get("provenance") or {})
        history = provenance.pop("history", [])
        lines.append(f"  last run    {json.dumps(provenance, sort_keys=True)}")
        for index, run in enumerate(reversed(history), start=1):
            lines.append(f"  run -{index:<6} {json.dumps(run, sort_keys=True)}")
        lines.append(f"  source      {photo.get('source_fingerprint')}")
    for version in record["original"]["versions"]:
        marker = "delete marker" if version["delete_marker"] else f"{version['size']} bytes"
        latest = " (latest)" if version["latest"] else ""
        lines.append(f"  original    {version['version_id']}{latest}: {marker}, {version['last_modified']}")
    if not record["original"]["versions"]:
        lines.append(f"  original    missing ({record.get('original_error', 'no versions')})")
    for kind, info in record["derivatives"].items():
        lines.append(f"  {kind:<11} {info['key']} {'ok' if info['exists'] else 'MISSING'}")
    for share in record["shares"]:
        lines.append(f"  share       expires {share.get('expires_at')} revoked={share.get('revoked', False)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="inspect_photo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--owner")
    parser.add_argument("--photo-id")
    parser.add_argument("--key", help="the original's key, uploads/<sub>/<photo_id>")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    target(args.env)
    if args.key:
        parts = args.key.split("/")
        if len(parts) != 3 or parts[0] != "uploads":
            parser.error("--key must look like uploads/<sub>/<photo_id>")
        args.owner, args.photo_id = parts[1], parts[2]
    if not (args.owner and args.photo_id):
        parser.error("give --owner and --photo-id, or --key")

    names = Names.for_environment(args.env, account_id(client("sts")))
    record = inspect_photo(
        dynamodb=client("dynamodb"),
        s3=client("s3"),
        table=names.table,
        originals_bucket=names.originals_bucket,
        derivatives_bucket=names.derivatives_bucket,
        owner=args.owner,
        photo_id=args.photo_id,
    )
    print(f"{target_description()}: {names.table}", file=sys.stderr)
    print(json.dumps(record, indent=2, sort_keys=True, default=str) if args.json else render(record))
    return 0 if record["item"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
