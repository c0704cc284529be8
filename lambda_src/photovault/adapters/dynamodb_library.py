"""DynamoDB implementation of the API's LibraryRepository: Query and point reads only — never a Scan."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.dynamodb import batch_write, deserialize, facet_update, photo_item, serialize
from photovault.api_ports import (
    LabelCount,
    PhotoPage,
    Position,
    PostingPage,
    TermMatch,
    TermPosting,
)
from photovault.errors import Conflict
from photovault.model import Photo, PhotoStatus
from photovault.serialization import photo_from_dict

_BATCH_GET = 100
_MAX_FILTERED_PAGES = 5  # a status filter reads at most this many pages per request, then hands back a cursor
# The gallery needs no analysis: keep list responses (and their network cost) small.
_SUMMARY_FIELDS = (
    "#owner",
    "photo_id",
    "#status",
    "created_at",
    "updated_at",
    "filename",
    "content_type",
    "caption",
    "facts",
    "derivatives",
)
_SUMMARY_NAMES = {"#owner": "owner", "#status": "status"}


def batch_get(
    client: Any, table: str, item_keys: Sequence[dict[str, Any]], *, max_attempts: int = 8, **extra: Any
) -> list[dict[str, Any]]:
    """BatchGetItem in chunks of 100, retrying unprocessed keys with jittered backoff; items deserialized."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(item_keys), _BATCH_GET):
        pending: dict[str, Any] = {table: {"Keys": [serialize(k) for k in item_keys[start : start + _BATCH_GET]]}}
        pending[table].update(extra)
        for attempt in range(max_attempts):
            response = client.batch_get_item(RequestItems=pending)
            found += [deserialize(item) for item in response.get("Responses", {}).get(table, [])]
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
        if pending:
            raise RuntimeError(f"DynamoDB left keys unread after {max_attempts} attempts")
    return found


def _posting(item: dict[str, Any]) -> TermPosting:
    return TermPosting(
        term=str(item.get("term", "")),
        photo_id=str(item.get("photo_id") or keys.photo_id_from_sk(str(item["sk"]))),
        matches=tuple(
            TermMatch(
                field=str(m.get("field", "")),
                confidence=float(m.get("confidence", 0.0)),
                source=str(m.get("source", "")),
            )
            for m in item.get("matches", [])
        ),
    )


class DynamoLibraryRepository:
    """The API side of the single table. Partition keys are always built from ``owner``."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create_pending(self, photo: Photo) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize(photo_item(photo)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict("A photo with this id already exists.") from exc
            raise

    def get(self, owner: str, photo_id: str) -> Photo | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
            ConsistentRead=True,  # read-your-writes: a photo just uploaded or deleted must show as such
        )
        item = response.get("Item")
        data = deserialize(item) if item else None
        return photo_from_dict(data) if data and data.get("status") else None

    def get_many(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        unique = list(dict.fromkeys(photo_ids))
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.user_pk(owner), "sk": keys.photo_sk(pid)} for pid in unique],
            ProjectionExpression=", ".join(_SUMMARY_FIELDS),
            ExpressionAttributeNames=_SUMMARY_NAMES,
        )
        photos = [photo_from_dict(item) for item in items if item.get("status")]
        return {photo.photo_id: photo for photo in photos if photo.owner == owner}

    def list_photos(self, owner: str, *, limit: int, start: Position | None, status: PhotoStatus | None) -> PhotoPage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :photo)",
            "ScanIndexForward": False,
            "Limit": limit,
            "ProjectionExpression": ", ".join(_SUMMARY_FIELDS),
            "ExpressionAttributeNames": dict(_SUMMARY_NAMES),
        }
        values: dict[str, Any] = {":pk": keys.user_pk(owner), ":photo": keys.PHOTO_PREFIX}
        if status is not None:
            args["FilterExpression"] = "#status = :status"
            values[":status"] = status.value
        args["ExpressionAttributeValues"] = serialize(values)
        exclusive = {"pk": keys.user_pk(owner), "sk": keys.photo_sk(start["id"])} if start and start.get("id") else None
        photos: list[Photo] = []
        for _ in range(_MAX_FILTERED_PAGES):
            if exclusive:
                args["ExclusiveStartKey"] = serialize(exclusive)
            response = self._client.query(**args)
            photos += [photo_from_dict(deserialize(item)) for item in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            exclusive = deserialize(last) if last else None
            if exclusive is None or len(photos) >= limit:
                break
        if len(photos) > limit:  # a filtered read can overshoot: continue after the last photo returned
            photos = photos[:limit]
            exclusive = {"sk": keys.photo_sk(photos[-1].photo_id)}
        position = {"id": keys.photo_id_from_sk(str(exclusive["sk"]))} if exclusive else None
        return PhotoPage(photos=photos, next_position=position)

    def term_postings(self, owner: str, term: str, *, limit: int, before: str | None) -> PostingPage:
        values: dict[str, Any] = {":pk": keys.term_pk(owner, term)}
        if before:
            condition = "pk = :pk AND sk < :before"
            values[":before"] = keys.photo_sk(before)
        else:
            condition = "pk = :pk AND begins_with(sk, :photo)"
            values[":photo"] = keys.PHOTO_PREFIX
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=serialize(values),
            ScanIndexForward=False,  # photo ids are time-ordered: newest first
            Limit=limit,
        )
        postings = [_posting(deserialize(item)) for item in response.get("Items", [])]
        more = bool(response.get("LastEvaluatedKey")) and bool(postings)
        return PostingPage(postings=postings, next_position={"before": postings[-1].photo_id} if more else None)

    def postings_for(self, owner: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TermPosting]:
        unique = list(dict.fromkeys(pairs))
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.term_pk(owner, term), "sk": keys.photo_sk(pid)} for term, pid in unique],
        )
        found: dict[tuple[str, str], TermPosting] = {}
        for item in items:
            posting = _posting(item)
            found[(posting.term, posting.photo_id)] = posting
        return found

    def labels(self, owner: str) -> list[LabelCount]:
        out: list[LabelCount] = []
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.facet_pk(owner)}),
        }
        while True:
            response = self._client.query(**args)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                label = str(item.get("label") or str(item["sk"]).removeprefix("LABEL#"))
                out.append(LabelCount(label=label, count=int(item.get("count", 0))))
            last = response.get("LastEvaluatedKey")
            if not last:
                return out
            args["ExclusiveStartKey"] = last

    def delete_photo(self, photo: Photo) -> bool:
        owner, photo_id = photo.owner, photo.photo_id
        sk = keys.photo_sk(photo_id)
        batch_write(
            self._client,
            self._table,
            [
                {"DeleteRequest": {"Key": serialize({"pk": keys.term_pk(owner, t), "sk": sk})}}
                for t in dict.fromkeys(photo.indexed_terms)
            ],
        )
        if photo.facts is not None:
            try:
                self._client.delete_item(
                    TableName=self._table,
                    Key=serialize({"pk": keys.hash_pk(owner, photo.facts.sha256), "sk": keys.HASH_SK}),
                    ConditionExpression="photo_id = :pid",  # a duplicate's hash record belongs to the first photo
                    ExpressionAttributeValues=serialize({":pid": photo_id}),
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        transact: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": serialize({"pk": keys.user_pk(owner), "sk": sk}),
                    # Only the item as read: a run that rewrote it since changed what must be taken back.
                    "ConditionExpression": "attribute_exists(pk) AND updated_at = :seen",
                    "ExpressionAttributeValues": serialize({":seen": photo.updated_at}),
                }
            }
        ]
        # The facet decrements ride in the same transaction as the delete: counted exactly once however often
        # the DELETE is retried.
        transact += [facet_update(self._table, owner, label, -1) for label in dict.fromkeys(photo.indexed_labels)]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    return False
            raise
        return True
