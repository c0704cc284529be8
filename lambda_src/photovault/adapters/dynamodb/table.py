"""What both repositories do on the table: create an item that must not exist yet, and batched reads and writes
(chunked to DynamoDB's limits, unprocessed items retried with jittered backoff and never silently dropped)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault.adapters.aws import error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.errors import Conflict

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_BATCH_WRITE = 25
_BATCH_GET = 100


CONDITION_FAILED = "ConditionalCheckFailedException"


def applied(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when it was applied, False when its condition did not hold."""
    try:
        write()
    except ClientError as exc:
        if error_code(exc) == CONDITION_FAILED:
            return False
        raise
    return True


def put_new(client: DynamoDBClient, table: str, item: Mapping[str, Any], *, conflict: str) -> None:
    """Write ``item`` unless its key exists (never overwrites); ``Conflict(conflict)`` when it does."""
    new = serialize(item)
    if not applied(lambda: client.put_item(TableName=table, Item=new, ConditionExpression="attribute_not_exists(pk)")):
        raise Conflict(conflict)


def _backoff(attempt: int) -> None:
    time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))


def batch_write(
    client: DynamoDBClient, table: str, requests: Sequence[Mapping[str, Any]], *, max_attempts: int = 8
) -> None:
    """BatchWriteItem in chunks of 25 (requests already in DynamoDB's typed form)."""
    for start in range(0, len(requests), _BATCH_WRITE):
        pending: list[Any] = list(requests[start : start + _BATCH_WRITE])
        for attempt in range(max_attempts):
            response = client.batch_write_item(RequestItems={table: pending})
            pending = list(response.get("UnprocessedItems", {}).get(table, []))
            if not pending:
                break
            _backoff(attempt)
        if pending:
            raise RuntimeError(f"DynamoDB left {len(pending)} writes unprocessed after {max_attempts} attempts")


def batch_get(
    client: DynamoDBClient,
    table: str,
    item_keys: Sequence[Mapping[str, Any]],
    *,
    max_attempts: int = 8,
    **extra: Any,
) -> list[dict[str, Any]]:
    """BatchGetItem in chunks of 100 (plain keys in, deserialized items out)."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(item_keys), _BATCH_GET):
        pending: dict[str, Any] = {table: {"Keys": [serialize(k) for k in item_keys[start : start + _BATCH_GET]]}}
        pending[table].update(extra)
        for attempt in range(max_attempts):
            response = client.batch_get_item(RequestItems=pending)
            found += [deserialize(item) for item in response.get("Responses", {}).get(table, [])]
            pending = dict(response.get("UnprocessedKeys") or {})
            if not pending:
                break
            _backoff(attempt)
        if pending:
            raise RuntimeError(f"DynamoDB left keys unread after {max_attempts} attempts")
    return found


def partition(client: DynamoDBClient, table: str, pk: str, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Every item of partition ``pk`` (whose sort key starts with ``prefix``), deserialized, page after page (for
    small partitions: counters, facets)."""
    args: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)" if prefix else "pk = :pk",
        "ExpressionAttributeValues": serialize({":pk": pk, ":prefix": prefix} if prefix else {":pk": pk}),
    }
    while True:
        response = client.query(**args)
        yield from (deserialize(raw) for raw in response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        args["ExclusiveStartKey"] = last
