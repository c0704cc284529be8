"""The table's side of an account deletion (``AccountItems``): the owner's items, a bounded batch per call. Queries
of the owner's own partitions and of the shares index by owner; never a Scan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from photovault import keys
from photovault.adapters.aws import aws_errors
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import batch_write

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"


class DynamoAccountItems:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @aws_errors(_DYNAMODB)
    def delete_shares(self, owner: str, *, limit: int) -> int:
        response = self._client.query(
            TableName=self._table,
            IndexName=keys.GSI2,
            KeyConditionExpression="gsi2pk = :owner",
            ExpressionAttributeValues=serialize({":owner": keys.owner_gsi2pk(owner)}),
            ProjectionExpression="pk, sk",
            Limit=limit,
        )
        return self._delete([{"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items", [])])

    @aws_errors(_DYNAMODB)
    def delete_partition(self, pk: str, *, limit: int, prefix: str = "", keep: Sequence[str] = ()) -> int:
        condition, values = "pk = :pk", {":pk": pk}
        if prefix:
            condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = prefix
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
            "ProjectionExpression": "pk, sk",
            "Limit": limit,
        }
        doomed: list[dict[str, Any]] = []
        while True:  # past pages of kept items only, so that 0 really means "nothing more"
            response = self._client.query(**args)
            doomed += [
                {"pk": item["pk"], "sk": item["sk"]}
                for item in response.get("Items", [])
                if item["sk"].get("S") not in keep
            ]
            last = response.get("LastEvaluatedKey")
            if doomed or not last:
                return self._delete(doomed)
            args["ExclusiveStartKey"] = last

    @aws_errors(_DYNAMODB)
    def album_ids(self, owner: str) -> list[str]:
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :album)",
            "ExpressionAttributeValues": serialize({":pk": keys.user_pk(owner), ":album": keys.ALBUM_PREFIX}),
            "ProjectionExpression": "sk",
        }
        found: list[str] = []
        while True:
            response = self._client.query(**args)
            found += [str(deserialize(item)["sk"]).removeprefix(keys.ALBUM_PREFIX) for item in response["Items"]]
            last = response.get("LastEvaluatedKey")
            if not last:
                return found
            args["ExclusiveStartKey"] = last

    @aws_errors(_DYNAMODB)
    def forget_job(self, owner: str, job_id: str) -> None:
        self._client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self._table, "Key": serialize({"pk": keys.user_pk(owner), "sk": sk})}}
                for sk in (keys.job_sk(job_id), keys.job_input_sk(job_id))
            ]
        )

    def _delete(self, item_keys: list[dict[str, Any]]) -> int:
        batch_write(self._client, self._table, [{"DeleteRequest": {"Key": key}} for key in item_keys])
        return len(item_keys)
