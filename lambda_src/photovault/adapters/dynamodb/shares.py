"""The share aggregate on the single table: ``SHARE#<token>`` items, listed per owner through gsi2."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize, share_from_item, share_item
from photovault.adapters.dynamodb.table import CONDITION_FAILED, applied, batch_write, put_new
from photovault.ports import Position, Share, SharePage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"


class DynamoShareRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, token: str) -> dict[str, Any]:
        return serialize({"pk": keys.share_pk(token), "sk": keys.SHARE_SK})

    @aws_errors(_DYNAMODB)
    def create(self, share: Share) -> None:
        put_new(self._client, self._table, share_item(share), conflict="Share token collision; try again.")

    @aws_errors(_DYNAMODB)
    def get(self, token: str) -> Share | None:
        response = self._client.get_item(TableName=self._table, Key=self._key(token), ConsistentRead=True)
        item = response.get("Item")
        return share_from_item(deserialize(item)) if item else None

    @aws_errors(_DYNAMODB)
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

    @aws_errors(_DYNAMODB)
    def revoke(self, owner: str, token: str) -> bool:
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(token),
                UpdateExpression="SET revoked = :true",
                ConditionExpression="attribute_exists(pk) AND #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues=serialize({":true": True, ":owner": owner}),
            )
        )

    @aws_errors(_DYNAMODB)
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
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return share_from_item(deserialize(response["Attributes"]))

    @aws_errors(_DYNAMODB)
    def delete_for_photo(self, owner: str, photo_id: str) -> int:
        return self._delete_where(owner, "photo_id", photo_id)

    @aws_errors(_DYNAMODB)
    def delete_for_album(self, owner: str, album_id: str) -> int:
        return self._delete_where(owner, "album_id", album_id)

    def _delete_where(self, owner: str, attribute: str, value: str) -> int:
        """Delete the owner's shares whose ``attribute`` is ``value`` (one Query of the owner's shares)."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI2,
            "KeyConditionExpression": "gsi2pk = :owner",
            "FilterExpression": "#target = :value",
            "ExpressionAttributeNames": {"#target": attribute},
            "ExpressionAttributeValues": serialize({":owner": keys.owner_gsi2pk(owner), ":value": value}),
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
