"""DynamoDB implementation of the pipeline's PhotoRepository on the single table (keys from ``photovault.keys``)."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from photovault import keys
from photovault.errors import ClaimLost
from photovault.model import Photo, PhotoStatus, SourceObject
from photovault.ports import Claim, ClaimState, TermHit
from photovault.serialization import photo_from_dict, photo_to_dict

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Optional photo attributes: REMOVEd when a run does not set them (serialization leaves out None fields).
OPTIONAL_PHOTO_FIELDS = ("reason_code", "reason", "duplicate_of", "facts", "analysis", "caption")
_BATCH = 25


def to_dynamo(value: Any) -> Any:
    """Python → DynamoDB-safe Python (floats as Decimal, tuples as lists, empty strings kept)."""
    if isinstance(value, float):
        return Decimal(repr(round(value, 6)))
    if isinstance(value, Mapping):
        return {str(k): to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, Mapping):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in to_dynamo(item).items()}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


def photo_item(photo: Photo) -> dict[str, Any]:
    """The full photo item: domain fields plus keys and the operators' status index."""
    data = photo_to_dict(photo)
    data.update(
        pk=keys.user_pk(photo.owner),
        sk=keys.photo_sk(photo.photo_id),
        gsi1pk=keys.status_gsi1pk(photo.status.value),
        gsi1sk=f"{photo.updated_at}#{photo.photo_id}",
    )
    return data


def term_item(owner: str, photo_id: str, term: str, hits: Sequence[TermHit], created_at: str) -> dict[str, Any]:
    return {
        "pk": keys.term_pk(owner, term),
        "sk": keys.photo_sk(photo_id),
        "owner": owner,
        "photo_id": photo_id,
        "term": term,
        "matches": [{"field": h.field, "confidence": h.confidence, "source": h.source} for h in hits],
        "created_at": created_at,
    }


def facet_update(table: str, owner: str, label: str, delta: int) -> dict[str, Any]:
    """A transaction item moving one of the owner's label counters by ``delta``."""
    return {
        "Update": {
            "TableName": table,
            "Key": serialize({"pk": keys.facet_pk(owner), "sk": keys.facet_sk(label)}),
            "UpdateExpression": "SET label = :label ADD #count :delta",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": serialize({":label": label, ":delta": delta}),
        }
    }


def batch_write(client: Any, table: str, requests: Sequence[dict[str, Any]], *, max_attempts: int = 8) -> None:
    """BatchWriteItem in chunks of 25, retrying unprocessed items with jittered backoff (never silently dropped)."""
    for start in range(0, len(requests), _BATCH):
        pending: list[dict[str, Any]] = list(requests[start : start + _BATCH])
        for attempt in range(max_attempts):
            response = client.batch_write_item(RequestItems={table: pending})
            pending = response.get("UnprocessedItems", {}).get(table, [])
            if not pending:
                break
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
        if pending:
            raise RuntimeError(f"DynamoDB left {len(pending)} writes unprocessed after {max_attempts} attempts")


class DynamoPhotoRepository:
    """Pipeline writes: claim (idempotency), content hashes, terms and terminal status with facet counters."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- idempotency -------------------------------------------------------------------------------------------
    def claim(self, source: SourceObject, *, now: str, lease_until: int, now_epoch: int) -> Claim:
        token = uuid.uuid4().hex
        processing = PhotoStatus.PROCESSING.value
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(source.owner), "sk": keys.photo_sk(source.photo_id)}),
                UpdateExpression=(
                    "SET #status = :processing, claim_token = :token, lease_until = :lease, updated_at = :now, "
                    "gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, source_fingerprint = :fp, "
                    "attempts = if_not_exists(attempts, :zero) + :one "
                    "REMOVE reprocess"
                ),
                # Only a photo the API created (POST /uploads) is processed: an upload whose photo was deleted —
                # or that never went through the API — must not bring a record into being.
                ConditionExpression=(
                    "attribute_exists(pk) AND ("
                    "attribute_not_exists(source_fingerprint)"
                    " OR (#status <> :processing AND (source_fingerprint <> :fp OR attribute_exists(reprocess)))"
                    " OR (#status = :processing AND lease_until < :now_epoch))"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=serialize(
                    {
                        ":processing": processing,
                        ":token": token,
                        ":lease": lease_until,
                        ":now": now,
                        ":now_epoch": now_epoch,
                        ":gsi1pk": keys.status_gsi1pk(processing),
                        ":gsi1sk": f"{now}#{source.photo_id}",
                        ":fp": source.fingerprint,
                        ":zero": 0,
                        ":one": 1,
                    }
                ),
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            current = self._get_raw(source.owner, source.photo_id)
            if not current:
                return Claim(ClaimState.MISSING)
            if current.get("status") == processing:
                return Claim(ClaimState.IN_PROGRESS)
            return Claim(ClaimState.DONE, photo=photo_from_dict(current))
        old = deserialize(response.get("Attributes", {}))
        previous = photo_from_dict(old) if old.get("status") else None
        request = old.get("reprocess")
        return Claim(
            ClaimState.CLAIMED, token=token, photo=previous, reprocess=request if isinstance(request, dict) else None
        )

    def release(self, source: SourceObject, claim_token: str, *, now: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(source.owner), "sk": keys.photo_sk(source.photo_id)}),
                UpdateExpression="SET lease_until = :zero, updated_at = :now REMOVE claim_token",
                ConditionExpression="claim_token = :token",
                ExpressionAttributeValues=serialize({":zero": 0, ":now": now, ":token": claim_token}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    # -- dedupe ------------------------------------------------------------------------------------------------
    def claim_content_hash(self, owner: str, sha256: str, photo_id: str) -> str:
        key = {"pk": keys.hash_pk(owner, sha256), "sk": keys.HASH_SK}
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize({**key, "owner": owner, "photo_id": photo_id, "sha256": sha256}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            existing = self._client.get_item(TableName=self._table, Key=serialize(key), ConsistentRead=True)
            first = deserialize(existing.get("Item", {})).get("photo_id")
            if first:
                return str(first)
            return self.claim_content_hash(owner, sha256, photo_id)  # deleted in between: take it
        return photo_id

    # -- terminal write ----------------------------------------------------------------------------------------
    def finish(self, photo: Photo, hits: Sequence[TermHit], claim_token: str, *, previous: Photo | None) -> None:
        by_term: dict[str, list[TermHit]] = {}
        for hit in hits:
            by_term.setdefault(hit.term, []).append(hit)
        sk = keys.photo_sk(photo.photo_id)
        stale = sorted(set(previous.indexed_terms if previous else ()) - set(by_term))
        requests: list[dict[str, Any]] = [
            {"DeleteRequest": {"Key": serialize({"pk": keys.term_pk(photo.owner, t), "sk": sk})}} for t in stale
        ]
        requests += [
            {"PutRequest": {"Item": serialize(term_item(photo.owner, photo.photo_id, t, term_hits, photo.created_at))}}
            for t, term_hits in by_term.items()
        ]
        batch_write(self._client, self._table, requests)

        old_labels = list(previous.indexed_labels) if previous else []
        deltas = {label: 1 for label in photo.indexed_labels if label not in old_labels}
        deltas.update({label: -1 for label in old_labels if label not in photo.indexed_labels})

        item = photo_item(photo)
        names: dict[str, str] = {}
        values: dict[str, Any] = {":token": claim_token}
        sets: list[str] = []
        for index, (name, value) in enumerate(item.items()):
            if name in ("pk", "sk"):
                continue
            names[f"#a{index}"] = name
            values[f":v{index}"] = value
            sets.append(f"#a{index} = :v{index}")
        # Fields of an earlier run that this run does not have (a caption, a reason …) must not survive it.
        removes = ["claim_token", "lease_until", *(name for name in OPTIONAL_PHOTO_FIELDS if name not in item)]
        transact: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": serialize({"pk": item["pk"], "sk": item["sk"]}),
                    "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes),
                    "ConditionExpression": "claim_token = :token",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": serialize(values),
                }
            }
        ]
        transact += [facet_update(self._table, photo.owner, label, delta) for label, delta in deltas.items()]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    raise ClaimLost(f"claim on {photo.photo_id} was lost before the result was written") from exc
            raise

    def discard(self, photo: Photo, hits: Sequence[TermHit]) -> None:
        """Take back what a run wrote for a photo deleted under it: its terms and its content-hash record."""
        sk = keys.photo_sk(photo.photo_id)
        terms = dict.fromkeys(hit.term for hit in hits)
        batch_write(
            self._client,
            self._table,
            [{"DeleteRequest": {"Key": serialize({"pk": keys.term_pk(photo.owner, t), "sk": sk})}} for t in terms],
        )
        if photo.facts is not None:
            try:
                self._client.delete_item(
                    TableName=self._table,
                    Key=serialize({"pk": keys.hash_pk(photo.owner, photo.facts.sha256), "sk": keys.HASH_SK}),
                    ConditionExpression="photo_id = :pid",  # a duplicate's hash record belongs to the first photo
                    ExpressionAttributeValues=serialize({":pid": photo.photo_id}),
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise

    # -- notification ------------------------------------------------------------------------------------------
    def begin_notification(self, owner: str, photo_id: str, *, now_epoch: int, lease_seconds: int) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
                UpdateExpression="SET notifying_until = :until",
                ConditionExpression=(
                    "attribute_exists(pk) AND attribute_not_exists(notified_at)"
                    " AND (attribute_not_exists(notifying_until) OR notifying_until < :now)"
                ),
                ExpressionAttributeValues=serialize({":until": now_epoch + lease_seconds, ":now": now_epoch}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def end_notification(self, owner: str, photo_id: str, *, sent_at: str | None) -> None:
        key = serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)})
        if sent_at is None:
            self._client.update_item(TableName=self._table, Key=key, UpdateExpression="REMOVE notifying_until")
            return
        self._client.update_item(
            TableName=self._table,
            Key=key,
            UpdateExpression="SET notified_at = :at REMOVE notifying_until",
            ExpressionAttributeValues=serialize({":at": sent_at}),
        )

    # -- reads -------------------------------------------------------------------------------------------------
    def get(self, owner: str, photo_id: str) -> Photo | None:
        raw = self._get_raw(owner, photo_id)
        return photo_from_dict(raw) if raw and raw.get("status") else None

    def _get_raw(self, owner: str, photo_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return deserialize(item) if item else None
