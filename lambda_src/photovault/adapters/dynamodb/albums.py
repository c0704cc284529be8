"""Albums on the single table: the album item (``USER#<sub>`` / ``ALBUM#<id>``) and one membership item per photo
(``USER#<sub>#ALBUM#<id>`` / ``PHOTO#<photo_id>``, in date order through gsi4 ``ALB#<sub>#<id>`` / taken_sort).

A membership, the photo's ``album_ids`` and the album's ``photo_count`` change in one transaction, so the count is
right however often a request is retried. Query and point reads only; partition keys come from the ``owner``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, cancellation_codes, error_code
from photovault.adapters.dynamodb.codec import album_from_item, album_item, deserialize, serialize
from photovault.adapters.dynamodb.photos import revision_condition
from photovault.adapters.dynamodb.table import CONDITION_FAILED, batch_get, batch_write, put_new
from photovault.model import Album, Photo, PhotoStatus
from photovault.ports import AlbumPage, MemberPage, MembershipChange, Position

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_DYNAMODB = "DynamoDB"
_FAILED = "ConditionalCheckFailed"


def _membership_key(owner: str, album_id: str, photo_id: str) -> dict[str, Any]:
    return serialize({"pk": keys.membership_pk(owner, album_id), "sk": keys.photo_sk(photo_id)})


def _album_key(owner: str, album_id: str) -> dict[str, Any]:
    return serialize({"pk": keys.user_pk(owner), "sk": keys.album_sk(album_id)})


class DynamoAlbumRepository:
    """``AlbumRepository`` on the table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- albums ------------------------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def create(self, album: Album) -> None:
        put_new(self._client, self._table, album_item(album), conflict="An album with this id already exists.")

    @aws_errors(_DYNAMODB)
    def get(self, owner: str, album_id: str) -> Album | None:
        response = self._client.get_item(TableName=self._table, Key=_album_key(owner, album_id), ConsistentRead=True)
        item = response.get("Item")
        return album_from_item(deserialize(item)) if item else None

    @aws_errors(_DYNAMODB)
    def get_many(self, owner: str, album_ids: Sequence[str]) -> dict[str, Album]:
        items = batch_get(
            self._client,
            self._table,
            [{"pk": keys.user_pk(owner), "sk": keys.album_sk(album_id)} for album_id in dict.fromkeys(album_ids)],
        )
        albums = [album_from_item(item) for item in items]
        return {album.album_id: album for album in albums if album.owner == owner}

    @aws_errors(_DYNAMODB)
    def list_albums(self, owner: str, *, limit: int, start: Position | None) -> AlbumPage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :album)",
            "ExpressionAttributeValues": serialize({":pk": keys.user_pk(owner), ":album": keys.ALBUM_PREFIX}),
            "ScanIndexForward": False,  # album ids are time-ordered: newest first
            "Limit": limit,
        }
        if start and start.get("id"):
            args["ExclusiveStartKey"] = _album_key(owner, start["id"])
        response = self._client.query(**args)
        albums = [album_from_item(deserialize(item)) for item in response.get("Items", [])]
        more = bool(response.get("LastEvaluatedKey")) and bool(albums)
        return AlbumPage(albums=albums, next_position={"id": albums[-1].album_id} if more else None)

    @aws_errors(_DYNAMODB)
    def update(
        self, owner: str, album_id: str, *, name: str | None, cover_photo_id: str | None, clear_cover: bool, now: str
    ) -> Album | None:
        sets = ["updated_at = :now"]
        values: dict[str, Any] = {":now": now}
        if name is not None:
            sets.append("#name = :name")
            values[":name"] = name
        if cover_photo_id is not None:
            sets.append("cover_photo_id = :cover")
            values[":cover"] = cover_photo_id
        args: dict[str, Any] = {
            "TableName": self._table,
            "Key": _album_key(owner, album_id),
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE cover_photo_id" if clear_cover else ""),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": serialize(values),
            "ReturnValues": "ALL_NEW",
        }
        if name is not None:
            args["ExpressionAttributeNames"] = {"#name": "name"}
        try:
            response = self._client.update_item(**args)
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return album_from_item(deserialize(response["Attributes"]))

    @aws_errors(_DYNAMODB)
    def delete(self, owner: str, album_id: str) -> bool:
        if self.get(owner, album_id) is None:
            return False
        # Memberships first, the album item last: a request cut short leaves the album in place (with fewer photos)
        # and a retried DELETE finishes the job; nothing is left behind that no request could find again.
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.membership_pk(owner, album_id)}),
            "ProjectionExpression": "pk, sk",
        }
        while True:
            response = self._client.query(**args)
            batch_write(
                self._client,
                self._table,
                [{"DeleteRequest": {"Key": {"pk": i["pk"], "sk": i["sk"]}}} for i in response.get("Items", [])],
            )
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            args["ExclusiveStartKey"] = last
        self._client.delete_item(TableName=self._table, Key=_album_key(owner, album_id))
        return True

    # -- memberships -------------------------------------------------------------------------------------------
    @aws_errors(_DYNAMODB)
    def member_ids(
        self, owner: str, album_id: str, *, newest_first: bool, limit: int, start: Position | None
    ) -> MemberPage:
        partition = keys.album_gsi4pk(owner, album_id)
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI4,
            "KeyConditionExpression": "gsi4pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": partition}),
            "ScanIndexForward": not newest_first,
            "Limit": limit,
            "ProjectionExpression": "photo_id, gsi4sk",
        }
        at = (start or {}).get("at", "")
        if at:
            photo_id = at.rsplit("#", 1)[-1]
            args["ExclusiveStartKey"] = serialize(
                {
                    "pk": keys.membership_pk(owner, album_id),
                    "sk": keys.photo_sk(photo_id),
                    "gsi4pk": partition,
                    "gsi4sk": at,
                }
            )
        response = self._client.query(**args)
        items = [deserialize(item) for item in response.get("Items", [])]
        more = bool(response.get("LastEvaluatedKey")) and bool(items)
        return MemberPage(
            photo_ids=[str(item["photo_id"]) for item in items],
            next_position={"at": str(items[-1]["gsi4sk"])} if more else None,
        )

    def _put_membership(self, album_id: str, photo: Photo) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": serialize(
                    {
                        "pk": keys.membership_pk(photo.owner, album_id),
                        "sk": keys.photo_sk(photo.photo_id),
                        "owner": photo.owner,
                        "album_id": album_id,
                        "photo_id": photo.photo_id,
                        "gsi4pk": keys.album_gsi4pk(photo.owner, album_id),
                        "gsi4sk": keys.taken_sort(photo),
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _count(self, owner: str, album_id: str, delta: int) -> TransactWriteItemTypeDef:
        return {
            "Update": {
                "TableName": self._table,
                "Key": _album_key(owner, album_id),
                "UpdateExpression": "ADD photo_count :delta",
                "ConditionExpression": "attribute_exists(pk)",  # never bring a deleted album back as a counter
                "ExpressionAttributeValues": serialize({":delta": delta}),
            }
        }

    def _photo_albums(self, photo: Photo, album_id: str, action: str, *, in_timeline: bool) -> TransactWriteItemTypeDef:
        """ADD or DELETE ``album_id`` in the photo's ``album_ids``, only while the photo is as read."""
        seen, seen_values = revision_condition(photo)
        condition = f"attribute_exists(pk) AND #status <> :processing AND {seen}"
        values: dict[str, Any] = {":album": {album_id}, ":one": 1, ":processing": PhotoStatus.PROCESSING.value}
        if in_timeline:
            condition += " AND #status = :ready AND attribute_not_exists(trashed_at)"
            values[":ready"] = PhotoStatus.READY.value
        return {
            "Update": {
                "TableName": self._table,
                "Key": serialize({"pk": keys.user_pk(photo.owner), "sk": keys.photo_sk(photo.photo_id)}),
                "UpdateExpression": (
                    "ADD album_ids :album, rev :one" if action == "ADD" else "DELETE album_ids :album ADD rev :one"
                ),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": serialize({**values, **seen_values}),
            }
        }

    def _transact(self, items: list[TransactWriteItemTypeDef]) -> list[str] | None:
        """Run a transaction: None when applied, else the per-item cancellation codes."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                codes = cancellation_codes(exc)
                if _FAILED in codes:
                    return codes
            raise
        return None

    @aws_errors(_DYNAMODB)
    def add(self, album_id: str, photo: Photo) -> MembershipChange:
        owner = photo.owner
        codes = self._transact(
            [
                self._put_membership(album_id, photo),
                self._photo_albums(photo, album_id, "ADD", in_timeline=True),
                self._count(owner, album_id, 1),
            ]
        )
        if codes is None:
            return MembershipChange.DONE
        if codes[0] == _FAILED:
            return MembershipChange.DONE  # already in the album: adding again changes nothing
        if codes[2] == _FAILED:
            return MembershipChange.NOT_FOUND
        return MembershipChange.CONFLICT

    @aws_errors(_DYNAMODB)
    def remove(self, album_id: str, photo: Photo) -> MembershipChange:
        if album_id not in photo.album_ids:
            return MembershipChange.DONE
        owner = photo.owner
        delete: TransactWriteItemTypeDef = {
            "Delete": {
                "TableName": self._table,
                "Key": _membership_key(owner, album_id, photo.photo_id),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        unlink = self._photo_albums(photo, album_id, "DELETE", in_timeline=False)
        codes = self._transact([delete, unlink, self._count(owner, album_id, -1)])
        if codes is None:
            return MembershipChange.DONE
        if codes[1] == _FAILED:
            return MembershipChange.CONFLICT
        # No membership (the photo is in the trash) or no album any more: only the photo's own list changes.
        del delete["Delete"]["ConditionExpression"]
        codes = self._transact([delete, unlink])
        return MembershipChange.DONE if codes is None else MembershipChange.CONFLICT

    @aws_errors(_DYNAMODB)
    def detach(self, photo: Photo) -> int:
        detached = 0
        for album_id in photo.album_ids:
            key = _membership_key(photo.owner, album_id, photo.photo_id)
            codes = self._transact(
                [
                    {"Delete": {"TableName": self._table, "Key": key, "ConditionExpression": "attribute_exists(pk)"}},
                    self._count(photo.owner, album_id, -1),
                ]
            )
            if codes is not None and codes[0] != _FAILED:  # the album is gone: its membership goes all the same
                self._client.delete_item(TableName=self._table, Key=key)
            detached += codes is None or codes[0] != _FAILED
        return detached

    @aws_errors(_DYNAMODB)
    def attach(self, photo: Photo) -> None:
        for album_id in photo.album_ids:
            # Already there (a retried restore), or the album was deleted meanwhile: nothing to do either way.
            self._transact([self._put_membership(album_id, photo), self._count(photo.owner, album_id, 1)])
