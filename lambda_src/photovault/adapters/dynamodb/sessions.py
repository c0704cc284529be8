"""The per-user "tokens valid after" item (``USER#<sub>`` / ``SESSIONS``): read with one strongly consistent GetItem
per authenticated request (no cache in the warm function: a sign-out must hold in every container at once), raised
with a conditional update that never lowers it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"


class DynamoSessionRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, owner: str) -> dict[str, Any]:
        return serialize({"pk": keys.user_pk(owner), "sk": keys.SESSIONS_SK})

    @aws_errors(_DYNAMODB)
    def tokens_valid_after(self, owner: str) -> int | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=self._key(owner),
            ProjectionExpression="tokens_valid_after",
            ConsistentRead=True,
        ).get("Item")
        value = deserialize(item).get("tokens_valid_after") if item else None
        return int(value) if value is not None else None

    @aws_errors(_DYNAMODB)
    def revoke_until(self, owner: str, valid_after: int) -> int:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression="SET tokens_valid_after = :t, #owner = :owner",
                ConditionExpression="attribute_not_exists(tokens_valid_after) OR tokens_valid_after < :t",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues=serialize({":t": valid_after, ":owner": owner}),
            )
        except ClientError as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            return self.tokens_valid_after(owner) or valid_after
        return valid_after
