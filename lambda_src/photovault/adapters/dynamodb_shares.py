"""DynamoDB implementation of the ShareRepository: ``SHARE#<token>`` items, listed per owner through gsi2."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.dynamodb import batch_write, deserialize, serialize
from photovault.api_ports import Position, Share, SharePage
from photovault.errors import Conflict


def share_item(share: Share) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.share_pk(share.token),
        "sk": keys.SHARE_SK,
        "token": share.token,
        "owner": share.owner,
        "photo_id": share.photo_id,
        "created_at": share.created_at,
        "expires_at": share.expires_at,  # the table's TTL attribute: DynamoDB removes the item some time after
        "views": share.views,
        "revoked": share.revoked,
        "gsi2pk": keys.owner_gsi2pk(share.owner),
        "gsi2sk": share.created_at,
    }
    if share.max_views is not None:
        item["max_views"] = share.max_views
    return item


def share_from_item(item: dict[str, Any]) -> Share:
    max_views = item.get("max_views")
    return Share(
        token=str(item.get("token") or str(item["pk"]).removeprefix("SHARE#")),
        owner=str(item["owner"]),
        photo_id=str(item["photo_id"]),
        created_at=str(item.get("created_at", "")),
        expires_at=int(item.get("expires_at", 0)),
        max_views=None if max_views is None else int(max_views),
        views=int(item.get("views", 0)),
        revoked=bool(item.get("revoked", False)),
    )


class DynamoShareRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, token: str) -> dict[str, Any]:
        return serialize({"pk": keys.share_pk(token), "sk": keys.SHARE_SK})

    def create(self, share: Share) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize(share_item(share)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict("Share token collision; try again.") from exc
            raise

    def get(self, token: str) -> Share | None:
        response = self._client.get_item(TableName=self._table, Key=self._key(token), ConsistentRead=True)
        item = response.get("Item")
        return share_from_item(deserialize(item)) if item else None

    def list_for_owner(self, owner: str, *, limit: int, start: Position | None) -> SharePage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI2,
            "KeyConditionExpression": "gsi2pk = :owner",
            "ExpressionAttributeValues": serialize({":owner": keys.owner_gsi2pk(owner)}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start and start.get("token") and start.get("created_at"):
            args["ExclusiveStartKey"] = serialize(
                {
                    "pk": keys.share_pk(start["token"]),
                    "sk": keys.SHARE_SK,
                    "gsi2pk": keys.owner_gsi2pk(owner),
                    "gsi2sk": start["created_at"],
                }
            )
        response = self._client.query(**args)
        shares = [share_from_item(deserialize(item)) for item in response.get("Items", [])]
        shares = [share for share in shares if share.owner == owner]
        last = response.get("LastEvaluatedKey")
        position = None
        if last:
            key = deserialize(last)
            position = {"token": str(key["pk"]).removeprefix("SHARE#"), "created_at": str(key["gsi2sk"])}
        return SharePage(shares=shares, next_position=position)

    def revoke(self, owner: str, token: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(token),
                UpdateExpression="SET revoked = :true",
                ConditionExpression="attribute_exists(pk) AND #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues=serialize({":true": True, ":owner": owner}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_view(self, token: str, *, now_epoch: int) -> Share | None:
        # The whole validity rule (sharing.policy.can_view) is the condition, so two viewers racing for the
        # last view cannot both win: DynamoDB applies the conditional increment atomically.
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(token),
                UpdateExpression="ADD #views :one",
                ConditionExpression=(
                    "attribute_exists(pk) AND revoked = :false AND expires_at > :now"
                    " AND (attribute_not_exists(max_views) OR #views < max_views)"
                ),
                ExpressionAttributeNames={"#views": "views"},
                ExpressionAttributeValues=serialize({":one": 1, ":false": False, ":now": now_epoch}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return share_from_item(deserialize(response["Attributes"]))

    def delete_for_photo(self, owner: str, photo_id: str) -> int:
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI2,
            "KeyConditionExpression": "gsi2pk = :owner",
            "FilterExpression": "photo_id = :pid",
            "ExpressionAttributeValues": serialize({":owner": keys.owner_gsi2pk(owner), ":pid": photo_id}),
            "ProjectionExpression": "pk, sk",
        }
        doomed: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**args)
            doomed += [{"DeleteRequest": {"Key": {"pk": item["pk"], "sk": item["sk"]}}} for item in response["Items"]]
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            args["ExclusiveStartKey"] = last
        batch_write(self._client, self._table, doomed)
        return len(doomed)
