"""The photo aggregate on the single table: the photo item, its search-term items, its content-hash record and the
owner's label facets. One repository for both functions — the pipeline's claim and terminal write, the API's
listing, reads and delete — so every conditional write on the photo item lives in one class. Query and point
reads only, never a Scan; partition keys are always built from the ``owner`` argument."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import ids, keys
from photovault.adapters.aws import aws_errors, cancellation_codes, error_code
from photovault.adapters.dynamodb.codec import (
    OPTIONAL_LIBRARY_KEYS,
    OPTIONAL_PHOTO_FIELDS,
    deserialize,
    library_keys,
    map_point_from_item,
    photo_from_item,
    photo_item,
    pipeline_error_attribute,
    posting_from_item,
    serialize,
    term_item,
)
from photovault.adapters.dynamodb.table import CONDITION_FAILED, applied, batch_get, batch_write, partition
from photovault.errors import ClaimLost, Conflict
from photovault.library.quota import stored_bytes
from photovault.model import Photo, PhotoStatus, PipelineError, SourceObject
from photovault.ports import (
    Claim,
    ClaimState,
    Collection,
    LabelCount,
    LibraryView,
    MapPage,
    MonthCount,
    PhotoPage,
    Position,
    PostingPage,
    TermPosting,
    Usage,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_DYNAMODB = "DynamoDB"
_FREED_TTL = 7 * 86_400
_PROCESSING = PhotoStatus.PROCESSING.value
# The gallery and search hits need no analysis: keep list responses (and their network cost) small.
_SUMMARY_FIELDS = (
    "#owner",
    "photo_id",
    "#status",
    "created_at",
    "updated_at",
    "filename",
    "content_type",
    "reason_code",
    "reason",
    "duplicate_of",
    "caption",
    "facts",
    "derivatives",
    "media_id",  # where the derivatives are: every URL is built from it
    "favorite",
    "trashed_at",
    "album_ids",
    "rev",
    # Whether it is hidden (an expired upload) or retrying: read from the item, never sent as such.
    "expires_at",
    "attempts",
    "claim_token",
    "lease_until",
    "last_error",
)
_SUMMARY_NAMES = {"#owner": "owner", "#status": "status"}
# Which index and partition holds each library view (``codec.library_keys`` writes them).
_VIEWS = {
    Collection.TIMELINE: (keys.GSI3, "gsi3", keys.timeline_gsi3pk),
    Collection.FAVORITES: (keys.GSI4, "gsi4", keys.favorites_gsi4pk),
    Collection.TRASH: (keys.GSI3, "gsi3", keys.trash_gsi3pk),
    Collection.ATTENTION: (keys.GSI3, "gsi3", keys.attention_gsi3pk),
}


def facet_update(table: str, owner: str, label: str, delta: int) -> TransactWriteItemTypeDef:
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


def place_facet_update(table: str, owner: str, place: str, delta: int) -> TransactWriteItemTypeDef:
    """A transaction item moving one of the owner's place counters by ``delta``."""
    return {
        "Update": {
            "TableName": table,
            "Key": serialize({"pk": keys.facet_pk(owner), "sk": keys.place_facet_sk(place)}),
            "UpdateExpression": "SET place = :place ADD #count :delta",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": serialize({":place": place, ":delta": delta}),
        }
    }


def month_update(table: str, owner: str, month: str, delta: int) -> TransactWriteItemTypeDef:
    """A transaction item moving the owner's counter of timeline photos taken in ``month`` by ``delta``."""
    return {
        "Update": {
            "TableName": table,
            "Key": serialize({"pk": keys.months_pk(owner), "sk": keys.month_sk(month)}),
            "UpdateExpression": "SET #month = :month ADD #count :delta",
            "ExpressionAttributeNames": {"#month": "month", "#count": "count"},
            "ExpressionAttributeValues": serialize({":month": month, ":delta": delta}),
        }
    }


def counter_updates(table: str, before: Photo | None, after: Photo | None) -> list[TransactWriteItemTypeDef]:
    """The facet and month counter changes of a photo going from what ``before`` adds to the index to what
    ``after`` adds (None: nothing) — one item per counter, as a transaction may touch an item once."""
    photo = after or before
    if photo is None:
        return []
    old_labels = list(before.indexed_labels) if before else []
    new_labels = list(after.indexed_labels) if after else []
    labels = {label: 1 for label in new_labels if label not in old_labels}
    labels.update({label: -1 for label in old_labels if label not in new_labels})
    months: dict[str, int] = {}
    for month, delta in ((before.indexed_month if before else None, -1), (after.indexed_month if after else None, 1)):
        if month:
            months[month] = months.get(month, 0) + delta
    old_places = list(before.indexed_places) if before else []
    new_places = list(after.indexed_places) if after else []
    places = {place: 1 for place in new_places if place not in old_places}
    places.update({place: -1 for place in old_places if place not in new_places})
    return (
        [facet_update(table, photo.owner, label, delta) for label, delta in labels.items()]
        + [place_facet_update(table, photo.owner, place, delta) for place, delta in places.items()]
        + [month_update(table, photo.owner, month, delta) for month, delta in months.items() if delta]
    )


def revision_condition(photo: Photo) -> tuple[str, dict[str, Any]]:
    """The item is still at the revision ``photo`` was read at (items written before revisions have none)."""
    if photo.revision == 0:
        return "(attribute_not_exists(rev) OR rev = :rev)", {":rev": 0}
    return "rev = :rev", {":rev": photo.revision}


def _cancelled_by_condition(exc: ClientError) -> bool:
    """A transaction refused because its first item's condition failed (the photo is not as read)."""
    return error_code(exc) == "TransactionCanceledException" and cancellation_codes(exc)[:1] == [
        "ConditionalCheckFailed"
    ]


def _term_deletes(owner: str, photo_id: str, terms: Sequence[str]) -> list[dict[str, Any]]:
    sk = keys.photo_sk(photo_id)
    return [{"DeleteRequest": {"Key": serialize({"pk": keys.term_pk(owner, t), "sk": sk})}} for t in terms]


class DynamoPhotoRepository:
    """``PhotoRepository`` (pipeline), ``LibraryRepository`` (API) and ``TermIndex`` (search) on one table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- API: create -------------------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def create_pending(self, photo: Photo, usage: Usage) -> bool:
        quota = {
            "pk": keys.quota_pk(photo.owner),
            "sk": keys.QUOTA_SK,
            "owner": photo.owner,
            "recent": list(usage.recent),
            "open": dict(usage.open),
            "bytes": usage.bytes,
            "rev": usage.revision + 1,
        }
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialize(quota),
                    # Computed from the item as read (none yet: revision 0): of two requests that read the same
                    # revision, one writes.
                    "ConditionExpression": "attribute_not_exists(pk) OR rev = :rev",
                    "ExpressionAttributeValues": serialize({":rev": usage.revision}),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialize(photo_item(photo)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            reasons = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
            # Another request of the owner wrote the quota item first, or is writing it right now (DynamoDB cancels
            # one of two transactions on one item with TransactionConflict): read again.
            if reasons[:1] in (["ConditionalCheckFailed"], ["TransactionConflict"]):
                return False
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("A photo with this id already exists.") from exc
            raise
        return True

    @aws_errors(_DYNAMODB)
    def usage(self, owner: str) -> Usage:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.quota_pk(owner), "sk": keys.QUOTA_SK}),
            ConsistentRead=True,  # the revision the next write checks must be the latest
        )
        item = deserialize(response.get("Item", {}))
        if not item:
            return Usage()
        return Usage(
            recent=tuple(int(at) for at in item.get("recent", [])),
            open={str(pid): int(size) for pid, size in dict(item.get("open", {})).items()},
            bytes=int(item.get("bytes", 0)),
            revision=int(item.get("rev", 0)),
        )

    @aws_errors(_DYNAMODB)
    def open_uploads(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.user_pk(owner), "sk": keys.photo_sk(pid)} for pid in dict.fromkeys(photo_ids)],
            ConsistentRead=True,
        )
        photos = [photo_from_item(item) for item in items if item.get("status")]
        return {photo.photo_id: photo for photo in photos if photo.owner == owner}

    # -- pipeline: idempotency ---------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def claim(self, source: SourceObject, *, now: str, lease_until: int, now_epoch: int) -> Claim:
        token = uuid.uuid4().hex
        processing = PhotoStatus.PROCESSING.value
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(source.owner), "sk": keys.photo_sk(source.photo_id)}),
                # The bytes arrived: a PENDING upload's expiry (the TTL) no longer applies.
                UpdateExpression=(
                    "SET #status = :processing, claim_token = :token, lease_until = :lease, updated_at = :now, "
                    "gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, source_fingerprint = :fp, "
                    "attempts = if_not_exists(attempts, :zero) + :one "
                    "REMOVE reprocess, expires_at"
                ),
                # Only a photo the API created (POST /uploads) is processed: an upload whose photo was deleted —
                # or that never went through the API — must not bring a record into being. One upload form, one
                # run: a FAILED photo is taken again by any delivery of its upload (a redrive brings back the very
                # event that failed); every other finished photo only by an operator's reprocess request, never by
                # later bytes sent to its key (a replayed form, another version of the object).
                ConditionExpression=(
                    "attribute_exists(pk) AND ("
                    "attribute_not_exists(source_fingerprint)"
                    " OR (#status <> :processing AND attribute_exists(reprocess))"
                    " OR #status = :failed"
                    " OR (#status = :processing AND lease_until < :now_epoch))"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=serialize(
                    {
                        ":processing": processing,
                        ":failed": PhotoStatus.FAILED.value,
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
            if error_code(exc) != CONDITION_FAILED:
                raise
            current = self._get_item(source.owner, source.photo_id)
            if not current:
                return Claim(ClaimState.MISSING)
            if current.get("status") == processing:
                return Claim(ClaimState.IN_PROGRESS)
            return Claim(ClaimState.DONE, photo=photo_from_item(current))
        old = deserialize(response.get("Attributes", {}))
        previous = photo_from_item(old) if old.get("status") else None
        request = old.get("reprocess")
        return Claim(
            ClaimState.CLAIMED, token=token, photo=previous, reprocess=request if isinstance(request, dict) else None
        )

    @aws_errors(_DYNAMODB)
    def release(self, source: SourceObject, claim_token: str, *, now: str, error: PipelineError) -> None:
        # Not applied when another invocation took the claim over since: then there is nothing of ours to give back.
        applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(source.owner), "sk": keys.photo_sk(source.photo_id)}),
                UpdateExpression="SET lease_until = :zero, updated_at = :now, last_error = :error REMOVE claim_token",
                ConditionExpression="claim_token = :token",
                ExpressionAttributeValues=serialize(
                    {":zero": 0, ":now": now, ":token": claim_token, ":error": pipeline_error_attribute(error)}
                ),
            )
        )

    @aws_errors(_DYNAMODB)
    def give_up(
        self, source: SourceObject, *, reason_code: str, reason: str, error: PipelineError, now: str, now_epoch: int
    ) -> bool:
        failed = PhotoStatus.FAILED.value
        done = applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(source.owner), "sk": keys.photo_sk(source.photo_id)}),
                # The bytes arrived (this is their event), so the upload's expiry goes; the fingerprint is kept when a
                # claim already set it, so its idempotency key stays the one of the run that finishes.
                UpdateExpression=(
                    "SET #status = :failed, reason_code = :code, reason = :reason, last_error = :error, "
                    "updated_at = :now, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, "
                    "source_fingerprint = if_not_exists(source_fingerprint, :fp) "
                    "REMOVE claim_token, expires_at"
                ),
                # Never over a finished photo (a later delivery got it done) nor under a live claim (another
                # invocation is at work and will finish it): only a photo nobody is processing.
                ConditionExpression=(
                    "attribute_exists(pk) AND #status IN (:pending, :processing)"
                    " AND (attribute_not_exists(claim_token) OR lease_until < :now_epoch)"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=serialize(
                    {
                        ":failed": failed,
                        ":pending": PhotoStatus.PENDING.value,
                        ":processing": PhotoStatus.PROCESSING.value,
                        ":code": reason_code,
                        ":reason": reason,
                        ":error": pipeline_error_attribute(error),
                        ":now": now,
                        ":now_epoch": now_epoch,
                        ":gsi1pk": keys.status_gsi1pk(failed),
                        ":gsi1sk": f"{now}#{source.photo_id}",
                        ":fp": source.fingerprint,
                    }
                ),
            )
        )
        if done:
            self._keep_due_for_purge(source.owner, source.photo_id)
        return done

    def _keep_due_for_purge(self, owner: str, photo_id: str) -> None:
        """A photo trashed while its upload was PENDING lost the trash's TTL to the claim (which removes the upload's
        expiry); ``finish`` writes it back with the other terminal states, and this does for FAILED — without it the
        photo would sit in the trash for ever."""
        item = self._get_item(owner, photo_id)
        photo = photo_from_item(item) if item and item.get("trashed_at") else None
        if photo is None or photo.purge_at is None:
            return
        applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
                UpdateExpression="SET expires_at = :purge",
                ConditionExpression="trashed_at = :trashed",  # not if it was restored meanwhile
                ExpressionAttributeValues=serialize({":purge": photo.purge_at, ":trashed": photo.trashed_at}),
            )
        )

    # -- pipeline: dedupe --------------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def claim_content_hash(self, owner: str, sha256: str, photo_id: str) -> str:
        key = {"pk": keys.hash_pk(owner, sha256), "sk": keys.HASH_SK}
        first_upload = applied(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=serialize({**key, "owner": owner, "photo_id": photo_id, "sha256": sha256}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )
        if first_upload:
            return photo_id
        existing = self._client.get_item(TableName=self._table, Key=serialize(key), ConsistentRead=True)
        first = deserialize(existing.get("Item", {})).get("photo_id")
        if first:
            return str(first)
        return self.claim_content_hash(owner, sha256, photo_id)  # deleted in between: take it

    # -- pipeline: terminal write ------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def finish(
        self, photo: Photo, postings: Sequence[TermPosting], claim_token: str, *, previous: Photo | None
    ) -> None:
        written = {posting.term for posting in postings}
        stale = sorted(set(previous.indexed_terms if previous else ()) - written)
        requests = _term_deletes(photo.owner, photo.photo_id, stale)
        requests += [
            {"PutRequest": {"Item": serialize(term_item(photo.owner, posting, photo.created_at))}}
            for posting in postings
        ]
        batch_write(self._client, self._table, requests)

        item = photo_item(photo)
        names: dict[str, str] = {}
        values: dict[str, Any] = {":token": claim_token, ":one": 1}
        sets: list[str] = []
        for index, (name, value) in enumerate(item.items()):
            if name in ("pk", "sk"):
                continue
            names[f"#a{index}"] = name
            values[f":v{index}"] = value
            sets.append(f"#a{index} = :v{index}")
        # Fields of an earlier run that this run does not have (a caption, a reason …) must not survive it, nor the
        # failure an earlier attempt recorded, nor index keys of a state the photo left (a favourite that is no
        # longer READY leaves the favourites).
        absent = [name for name in (*OPTIONAL_PHOTO_FIELDS, *OPTIONAL_LIBRARY_KEYS) if name not in item]
        removes = ["claim_token", "lease_until", "last_error", *absent]
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": serialize({"pk": item["pk"], "sk": item["sk"]}),
                    "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes) + " ADD rev :one",
                    "ConditionExpression": "claim_token = :token",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": serialize(values),
                }
            }
        ]
        # The label facets and the month counter move in the same transaction as the status.
        transact += counter_updates(self._table, previous, photo)
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                raise ClaimLost(f"claim on {photo.photo_id} was lost before the result was written") from exc
            raise
        if previous is not None and keys.taken_sort(previous) != keys.taken_sort(photo):
            self._resort_memberships(photo)

    @aws_errors(_DYNAMODB)
    def discard(self, photo: Photo, postings: Sequence[TermPosting]) -> None:
        """Take back what a run wrote for a photo deleted under it: its terms and its content-hash record."""
        terms = list(dict.fromkeys(posting.term for posting in postings))
        batch_write(self._client, self._table, _term_deletes(photo.owner, photo.photo_id, terms))
        self._forget_content_hash(photo)

    # -- pipeline: notification --------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def begin_notification(self, owner: str, photo_id: str, *, now_epoch: int, lease_seconds: int) -> bool:
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
                UpdateExpression="SET notifying_until = :until",
                ConditionExpression=(
                    "attribute_exists(pk) AND attribute_not_exists(notified_at)"
                    " AND (attribute_not_exists(notifying_until) OR notifying_until < :now)"
                ),
                ExpressionAttributeValues=serialize({":until": now_epoch + lease_seconds, ":now": now_epoch}),
            )
        )

    @aws_errors(_DYNAMODB)
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
    @aws_errors(_DYNAMODB)
    def get(self, owner: str, photo_id: str) -> Photo | None:
        item = self._get_item(owner, photo_id)
        return photo_from_item(item) if item and item.get("status") else None

    @aws_errors(_DYNAMODB)
    def get_many(self, owner: str, photo_ids: Sequence[str], *, whole: bool = False) -> dict[str, Photo]:
        unique = list(dict.fromkeys(photo_ids))
        projection: dict[str, Any] = (
            {}
            if whole
            else {"ProjectionExpression": ", ".join(_SUMMARY_FIELDS), "ExpressionAttributeNames": _SUMMARY_NAMES}
        )
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.user_pk(owner), "sk": keys.photo_sk(pid)} for pid in unique],
            **projection,
        )
        photos = [photo_from_item(item) for item in items if item.get("status")]
        return {photo.photo_id: photo for photo in photos if photo.owner == owner}

    @aws_errors(_DYNAMODB)
    def catalog(self, owner: str, *, limit: int, after: str | None) -> PhotoPage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :photo)",
            "ExpressionAttributeValues": serialize({":pk": keys.user_pk(owner), ":photo": keys.PHOTO_PREFIX}),
            "Limit": limit,
            "ConsistentRead": True,
        }
        if after:
            args["ExclusiveStartKey"] = serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(after)})
        response = self._client.query(**args)
        photos = [photo_from_item(item) for item in map(deserialize, response.get("Items", [])) if item.get("status")]
        last = response.get("LastEvaluatedKey")
        return PhotoPage(
            photos=photos,
            next_position={"after": keys.photo_id_from_sk(deserialize(last)["sk"])} if last else None,
        )

    @aws_errors(_DYNAMODB)
    def list_view(self, owner: str, view: LibraryView, *, limit: int, start: Position | None) -> PhotoPage:
        index, prefix, partition = _VIEWS[view.collection]
        pk_name, sk_name = f"{prefix}pk", f"{prefix}sk"
        values: dict[str, Any] = {":pk": partition(owner)}
        condition = f"{pk_name} = :pk"
        if view.since and view.until:
            condition += f" AND {sk_name} BETWEEN :lo AND :hi"
        elif view.since:
            condition += f" AND {sk_name} >= :lo"
        elif view.until:
            condition += f" AND {sk_name} <= :hi"
        if view.since:
            values[":lo"] = f"{view.since}T00:00:00"
        if view.until:
            values[":hi"] = f"{view.until}T23:59:59~"  # "~" sorts after "#<photo id>": the whole last day
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
            "ScanIndexForward": not view.newest_first,
            "Limit": limit,
            "ProjectionExpression": ", ".join((*_SUMMARY_FIELDS, sk_name)),
            "ExpressionAttributeNames": dict(_SUMMARY_NAMES),
        }
        at = (start or {}).get("at", "")
        if at:
            args["ExclusiveStartKey"] = serialize(
                {
                    "pk": keys.user_pk(owner),
                    "sk": keys.photo_sk(at.rsplit("#", 1)[-1]),
                    pk_name: partition(owner),
                    sk_name: at,
                }
            )
        response = self._client.query(**args)
        items = [deserialize(item) for item in response.get("Items", [])]
        photos = [photo_from_item(item) for item in items]
        more = bool(response.get("LastEvaluatedKey")) and bool(items)
        return PhotoPage(photos=photos, next_position={"at": str(items[-1][sk_name])} if more else None)

    @aws_errors(_DYNAMODB)
    def neighbours(self, photo: Photo) -> tuple[Photo | None, Photo | None]:
        if not photo.in_timeline:
            return None, None
        found: list[Photo | None] = []
        for operator, ascending in ((">", True), ("<", False)):
            response = self._client.query(
                TableName=self._table,
                IndexName=keys.GSI3,
                KeyConditionExpression=f"gsi3pk = :pk AND gsi3sk {operator} :at",
                ExpressionAttributeValues=serialize(
                    {":pk": keys.timeline_gsi3pk(photo.owner), ":at": keys.taken_sort(photo)}
                ),
                ScanIndexForward=ascending,
                Limit=1,
                ProjectionExpression=", ".join(_SUMMARY_FIELDS),
                ExpressionAttributeNames=dict(_SUMMARY_NAMES),
            )
            items = response.get("Items", [])
            found.append(photo_from_item(deserialize(items[0])) if items else None)
        return found[0], found[1]

    @aws_errors(_DYNAMODB)
    def months(self, owner: str) -> list[MonthCount]:
        return [
            MonthCount(
                month=str(item.get("month") or str(item["sk"]).removeprefix("MONTH#")), count=int(item.get("count", 0))
            )
            for item in partition(self._client, self._table, keys.months_pk(owner))
        ]

    @aws_errors(_DYNAMODB)
    def map_points(self, owner: str, *, limit: int, start: Position | None) -> MapPage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI5,
            "KeyConditionExpression": "gsi5pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.map_gsi5pk(owner)}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        at = (start or {}).get("at", "")
        if at:
            photo_id = at.rsplit("#", 1)[-1]
            if not ids.is_photo_id(photo_id):
                return MapPage(points=[])
            args["ExclusiveStartKey"] = serialize(
                {
                    "pk": keys.user_pk(owner),
                    "sk": keys.photo_sk(photo_id),
                    "gsi5pk": keys.map_gsi5pk(owner),
                    "gsi5sk": at,
                }
            )
        response = self._client.query(**args)
        items = [deserialize(raw) for raw in response.get("Items", [])]
        points = [point for point in (map_point_from_item(item) for item in items) if point is not None]
        last = items[-1] if items and response.get("LastEvaluatedKey") else None
        return MapPage(points=points, next_position={"at": str(last["gsi5sk"])} if last else None)

    @aws_errors(_DYNAMODB)
    def oldest_pending(self, *, since: str, limit: int) -> list[Photo]:
        response = self._client.query(
            TableName=self._table,
            IndexName=keys.GSI1,
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk >= :since",
            ExpressionAttributeValues=serialize(
                {":pk": keys.status_gsi1pk(PhotoStatus.PENDING.value), ":since": since}
            ),
            ScanIndexForward=True,  # gsi1sk = <updated_at>#<id>; a PENDING photo's is when it was requested
            Limit=limit,
        )
        return [photo_from_item(deserialize(item)) for item in response.get("Items", [])]

    # -- search reads (TermIndex) ------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
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
        postings = [posting_from_item(deserialize(item)) for item in response.get("Items", [])]
        more = bool(response.get("LastEvaluatedKey")) and bool(postings)
        return PostingPage(postings=postings, next_position={"before": postings[-1].photo_id} if more else None)

    @aws_errors(_DYNAMODB)
    def postings_for(self, owner: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TermPosting]:
        unique = list(dict.fromkeys(pairs))
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.term_pk(owner, term), "sk": keys.photo_sk(pid)} for term, pid in unique],
        )
        postings = [posting_from_item(item) for item in items]
        return {(posting.term, posting.photo_id): posting for posting in postings}

    @aws_errors(_DYNAMODB)
    def labels(self, owner: str) -> list[LabelCount]:
        return [
            LabelCount(
                label=str(item.get("label") or str(item["sk"]).removeprefix("LABEL#")), count=int(item.get("count", 0))
            )
            for item in partition(self._client, self._table, keys.facet_pk(owner), keys.facet_sk(""))
        ]

    @aws_errors(_DYNAMODB)
    def places(self, owner: str) -> list[LabelCount]:
        return [
            LabelCount(
                label=str(item.get("place") or str(item["sk"]).removeprefix("PLACE#")), count=int(item.get("count", 0))
            )
            for item in partition(self._client, self._table, keys.facet_pk(owner), keys.place_facet_sk(""))
        ]

    # -- API: library state, delete forever, and what a purge cleans ------------------------------------------
    @aws_errors(_DYNAMODB)
    def save_library_state(self, before: Photo, after: Photo, postings: Sequence[TermPosting]) -> bool:
        owner, photo_id = after.owner, after.photo_id
        batch_write(
            self._client,
            self._table,
            [{"PutRequest": {"Item": serialize(term_item(owner, posting, after.created_at))}} for posting in postings],
        )
        state: dict[str, Any] = {
            "favorite": after.favorite,
            "trashed_at": after.trashed_at,
            "album_ids": set(after.album_ids) or None,
            "indexed_terms": list(after.indexed_terms),
            "indexed_labels": list(after.indexed_labels),
            "indexed_month": after.indexed_month,
            "indexed_places": list(after.indexed_places),
            "taken_sort": keys.taken_sort(after),
            **library_keys(after),
        }
        names = {f"#s{i}": name for i, name in enumerate(state)}
        values: dict[str, Any] = {f":s{i}": value for i, value in enumerate(state.values()) if value is not None}
        sets = [f"#s{i} = :s{i}" for i, value in enumerate(state.values()) if value is not None]
        removes = [f"#s{i}" for i, value in enumerate(state.values()) if value is None]
        removes += [name for name in OPTIONAL_LIBRARY_KEYS if name not in state]
        seen, seen_values = revision_condition(before)
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "") + " ADD rev :one"
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
                    "UpdateExpression": update,
                    # Computed from the item as read: only while it is still so, and not while a worker holds it.
                    "ConditionExpression": f"attribute_exists(pk) AND #status <> :processing AND {seen}",
                    "ExpressionAttributeNames": {**names, "#status": "status"},
                    "ExpressionAttributeValues": serialize(
                        {**values, **seen_values, ":one": 1, ":processing": _PROCESSING}
                    ),
                }
            },
            *counter_updates(self._table, before, after),
        ]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        stale = [term for term in dict.fromkeys(before.indexed_terms) if term not in set(after.indexed_terms)]
        batch_write(self._client, self._table, _term_deletes(owner, photo_id, stale))
        return True

    @aws_errors(_DYNAMODB)
    def delete_forever(self, photo: Photo) -> bool:
        seen, seen_values = revision_condition(photo)
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": serialize({"pk": keys.user_pk(photo.owner), "sk": keys.photo_sk(photo.photo_id)}),
                    "ConditionExpression": f"attribute_exists(trashed_at) AND {seen}",
                    "ExpressionAttributeValues": serialize(seen_values),
                }
            },
            # A trashed photo adds nothing to the counters; whatever it still did leaves with it, exactly once.
            *counter_updates(self._table, photo, None),
        ]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        return True

    # -- purge (PhotoLeftovers) --------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def remove_leftovers(self, photo: Photo) -> int:
        """What a removed photo item still points at in the index. Deleting an item that is already gone is a no-op,
        so a replayed stream record changes nothing."""
        terms = list(dict.fromkeys(photo.indexed_terms))
        batch_write(self._client, self._table, _term_deletes(photo.owner, photo.photo_id, terms))
        self._release_bytes(photo)
        return len(terms) + int(self._forget_content_hash(photo))

    def _release_bytes(self, photo: Photo) -> None:
        """Give a purged photo's stored bytes back to its owner's quota: once (a marker item per photo, kept a week,
        far beyond the stream's 24 h), and only when the upload is no longer open on the quota item — an open one
        is settled by the owner's next upload request, which finds the photo gone."""
        size = stored_bytes(photo)
        if not size:
            return
        pk = keys.quota_pk(photo.owner)
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": serialize({"pk": pk, "sk": keys.QUOTA_SK}),
                    # The revision moves too: a request that read the item before this write must read it again.
                    "UpdateExpression": "ADD #bytes :minus, rev :one",
                    "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#open.#photo)",
                    "ExpressionAttributeNames": {"#bytes": "bytes", "#open": "open", "#photo": photo.photo_id},
                    "ExpressionAttributeValues": serialize({":minus": -size, ":one": 1}),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialize(
                        {"pk": pk, "sk": f"FREED#{photo.photo_id}", "expires_at": int(time.time()) + _FREED_TTL}
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(
                exc
            ):
                return  # given back before, still open, or an owner who never uploaded under quotas
            raise

    @aws_errors(_DYNAMODB)
    def count_stored_bytes(self, photo: Photo, *, create: bool = False) -> bool:
        """The mirror of ``_release_bytes``: once (a marker item per photo, kept for good: a photo id never comes
        back), and only while the upload is not open on the quota item. ``create``: also for an owner without a
        quota item yet (the backfill of photos stored before quotas; the worker never creates one)."""
        size = stored_bytes(photo)
        if not size:
            return False
        pk = keys.quota_pk(photo.owner)
        exists = "" if create else "attribute_exists(pk) AND "
        transact: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": serialize({"pk": pk, "sk": keys.QUOTA_SK}),
                    # The revision moves too: a request that read the item before this write must read it again.
                    "UpdateExpression": "SET #owner = if_not_exists(#owner, :owner) ADD #bytes :size, rev :one",
                    "ConditionExpression": f"{exists}attribute_not_exists(#open.#photo)",
                    "ExpressionAttributeNames": {
                        "#owner": "owner",
                        "#bytes": "bytes",
                        "#open": "open",
                        "#photo": photo.photo_id,
                    },
                    "ExpressionAttributeValues": serialize({":owner": photo.owner, ":size": size, ":one": 1}),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": serialize({"pk": pk, "sk": f"COUNTED#{photo.photo_id}"}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=transact)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(
                exc
            ):
                return False  # counted before, still open, or an owner who never uploaded under quotas
            raise
        return True

    # -- helpers -----------------------------------------------------------------------------------------------
    def _get_item(self, owner: str, photo_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo_id)}),
            ConsistentRead=True,  # read-your-writes: a photo just uploaded, processed or deleted must show as such
        )
        item = response.get("Item")
        return deserialize(item) if item else None

    def _resort_memberships(self, photo: Photo) -> None:
        """A reprocess that changed the date taken moves the photo within its albums' date order too."""
        for album_id in photo.album_ids:
            key = serialize({"pk": keys.membership_pk(photo.owner, album_id), "sk": keys.photo_sk(photo.photo_id)})
            applied(
                functools.partial(
                    self._client.update_item,
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET gsi4sk = :at",
                    ConditionExpression="attribute_exists(pk)",  # not re-created if it was taken out meanwhile
                    ExpressionAttributeValues=serialize({":at": keys.taken_sort(photo)}),
                )
            )

    def _forget_content_hash(self, photo: Photo) -> bool:
        """Delete the photo's content-hash record, unless it belongs to another photo (a duplicate's does)."""
        if photo.facts is None:
            return False
        sha256 = photo.facts.sha256
        return applied(
            lambda: self._client.delete_item(
                TableName=self._table,
                Key=serialize({"pk": keys.hash_pk(photo.owner, sha256), "sk": keys.HASH_SK}),
                ConditionExpression="photo_id = :pid",
                ExpressionAttributeValues=serialize({":pid": photo.photo_id}),
            )
        )
