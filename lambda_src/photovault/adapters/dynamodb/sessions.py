"""The per-user last sign-out everywhere (``USER#<sub>`` / ``SESSIONS``: ``tokens_valid_after`` and the kept session's
``origin_jti``) and an account deletion's tombstone (``CLOSED#<digest of the sub>``, which outlives the account):
both read with one strongly consistent BatchGetItem per authenticated request (no cache in the warm function: a
sign-out must hold in every container at once), the first stored with a conditional update that never moves the time
back, the second written once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED, applied, batch_get
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

    def _closure_key(self, owner: str) -> dict[str, Any]:
        return serialize({"pk": keys.closure_pk(owner), "sk": keys.CLOSURE_SK})

    @aws_errors(_DYNAMODB)
    def signed_out(self, owner: str) -> SignOut | None:
        items = batch_get(
            self._client,
            self._table,
            [deserialize(self._key(owner)), deserialize(self._closure_key(owner))],
            ProjectionExpression="sk, tokens_valid_after, kept_origin, closing_job",
            ConsistentRead=True,
        )
        found = {item["sk"]: item for item in items}
        data = found.get(keys.CLOSURE_SK) or found.get(keys.SESSIONS_SK) or {}  # a tombstone outranks any sign-out
        if data.get("tokens_valid_after") is None:
            return None
        kept, closing = data.get("kept_origin"), data.get("closing_job")
        return SignOut(
            valid_after=int(data["tokens_valid_after"]),
            kept=str(kept) if kept else None,
            closing=str(closing) if closing else None,
        )

    @aws_errors(_DYNAMODB)
    def close(self, owner: str, sign_out: SignOut, *, expires_at: int) -> SignOut:
        item: dict[str, Any] = {
            "pk": keys.closure_pk(owner),
            "sk": keys.CLOSURE_SK,
            "tokens_valid_after": sign_out.valid_after,
            "closing_job": sign_out.closing,
            "expires_at": expires_at,  # the table's TTL; nothing in the item names the owner
        }
        if sign_out.kept:
            item["kept_origin"] = sign_out.kept
        if applied(
            lambda: self._client.put_item(
                TableName=self._table, Item=serialize(item), ConditionExpression="attribute_not_exists(pk)"
            )
        ):
            return sign_out
        return self.signed_out(owner) or sign_out

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
