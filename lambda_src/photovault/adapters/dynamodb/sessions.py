"""The per-user last sign-out everywhere (``USER#<sub>`` / ``SESSIONS``: ``tokens_valid_after`` and the kept session's
``origin_jti``): read with one strongly consistent GetItem per authenticated request (no cache in the warm function: a
sign-out must hold in every container at once), stored with a conditional update that never moves the time back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED
from photovault.model import SignOut

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
    def signed_out(self, owner: str) -> SignOut | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=self._key(owner),
            ProjectionExpression="tokens_valid_after, kept_origin",
            ConsistentRead=True,
        ).get("Item")
        data = deserialize(item) if item else {}
        if data.get("tokens_valid_after") is None:
            return None
        kept = data.get("kept_origin")
        return SignOut(valid_after=int(data["tokens_valid_after"]), kept=str(kept) if kept else None)

    @aws_errors(_DYNAMODB)
    def revoke_until(self, owner: str, sign_out: SignOut) -> SignOut:
        values: dict[str, Any] = {":t": sign_out.valid_after, ":owner": owner}
        update = "SET tokens_valid_after = :t, #owner = :owner"
        if sign_out.kept:
            update += ", kept_origin = :kept"
            values[":kept"] = sign_out.kept
        else:
            update += " REMOVE kept_origin"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression=update,
                # The same second again replaces the kept session (the later request wins); an earlier time never
                # replaces a later one.
                ConditionExpression="attribute_not_exists(tokens_valid_after) OR tokens_valid_after <= :t",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues=serialize(values),
            )
        except ClientError as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            return self.signed_out(owner) or sign_out
        return sign_out
