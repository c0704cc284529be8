"""The owner's notification item (``USER#<sub>`` / ``NOTIFY``): the e-mail opt-in and the pending digest in one
item, so that a finished photo joins the digest with one conditional write that fails (and costs nothing more) for
someone who has not opted in. Every digest transition is a conditional write (see photovault.notifications.digest)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED, applied
from photovault.ports import EmailOptIn, PendingDigest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"
_DIGEST = "entries, more, first_at, last_at, timer_at, sending, sending_more, sending_token, sending_until"


class DynamoNotificationRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, owner: str) -> dict[str, Any]:
        return serialize({"pk": keys.user_pk(owner), "sk": keys.NOTIFY_SK})

    def _item(self, owner: str) -> dict[str, Any] | None:
        item = self._client.get_item(TableName=self._table, Key=self._key(owner), ConsistentRead=True).get("Item")
        return deserialize(item) if item else None

    @aws_errors(_DYNAMODB)
    def opt_in(self, owner: str) -> EmailOptIn | None:
        item = self._item(owner)
        if not item or not item.get("subscription"):
            return None
        return EmailOptIn(address=str(item.get("address", "")), subscription=str(item["subscription"]))

    @aws_errors(_DYNAMODB)
    def save_opt_in(self, owner: str, opt_in: EmailOptIn) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(owner),
            UpdateExpression="SET address = :address, subscription = :subscription, #owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues=serialize(
                {":address": opt_in.address, ":subscription": opt_in.subscription, ":owner": owner}
            ),
        )

    @aws_errors(_DYNAMODB)
    def forget(self, owner: str) -> None:
        self._client.delete_item(TableName=self._table, Key=self._key(owner))

    @aws_errors(_DYNAMODB)
    def add_to_digest(self, owner: str, entry: str, *, now: int, max_entries: int) -> PendingDigest | None:
        def add(update: str, condition: str, values: dict[str, Any]) -> dict[str, Any] | None:
            try:
                answer = self._client.update_item(
                    TableName=self._table,
                    Key=self._key(owner),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=serialize({":now": now, **values}),
                    ReturnValues="ALL_NEW",
                )
            except ClientError as exc:
                if error_code(exc) != CONDITION_FAILED:
                    raise
                return None
            return deserialize(answer["Attributes"])

        listed = add(
            "ADD entries :entry, version :one SET last_at = :now, first_at = if_not_exists(first_at, :now)",
            "attribute_exists(subscription) AND (attribute_not_exists(entries) OR size(entries) < :max)",
            {":entry": {entry}, ":max": max_entries, ":one": 1},
        )
        counted = listed or add(
            "ADD more :one, version :one SET last_at = :now, first_at = if_not_exists(first_at, :now)",
            "attribute_exists(subscription)",
            {":one": 1},
        )
        return _pending(counted) if counted is not None else None

    @aws_errors(_DYNAMODB)
    def timer_queued(self, owner: str, *, now: int) -> None:
        applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression="SET timer_at = :now",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=serialize({":now": now}),
            )
        )

    @aws_errors(_DYNAMODB)
    def pending(self, owner: str) -> PendingDigest | None:
        item = self._item(owner)
        return _pending(item) if item else None

    @aws_errors(_DYNAMODB)
    def claim_digest(self, owner: str, seen: PendingDigest, *, token: str, lease_until: int) -> bool:
        values: dict[str, Any] = {
            ":version": seen.version,
            ":sending": set(seen.entries) or None,
            ":more": seen.more,
            ":token": token,
            ":until": lease_until,
        }
        sending = "sending = :sending, " if seen.entries else ""
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression=(
                    f"SET {sending}sending_more = :more, sending_token = :token, sending_until = :until"
                    " REMOVE entries, more, first_at, last_at, timer_at"
                ),
                # version counts every add and is never reset: a photo added since the read (even in the same
                # second), or a read from before an earlier claim, fails the claim
                ConditionExpression="version = :version AND attribute_not_exists(sending_token)",
                ExpressionAttributeValues=serialize({k: v for k, v in values.items() if v is not None}),
            )
        )

    @aws_errors(_DYNAMODB)
    def take_over(self, owner: str, seen: PendingDigest, *, token: str, lease_until: int) -> bool:
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression="SET sending_token = :token, sending_until = :until",
                ConditionExpression="sending_token = :seen",
                ExpressionAttributeValues=serialize(
                    {":token": token, ":until": lease_until, ":seen": seen.sending_token}
                ),
            )
        )

    @aws_errors(_DYNAMODB)
    def digest_sent(self, owner: str, *, token: str) -> None:
        applied(  # an opt-out during the send removed the item: nothing left to clear
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner),
                UpdateExpression="REMOVE sending, sending_more, sending_token, sending_until",
                ConditionExpression="sending_token = :token",
                ExpressionAttributeValues=serialize({":token": token}),
            )
        )


def _pending(item: dict[str, Any]) -> PendingDigest:
    def number(name: str) -> int | None:
        value = item.get(name)
        return int(value) if value is not None else None

    return PendingDigest(
        entries=frozenset(str(e) for e in item.get("entries") or ()),
        more=number("more") or 0,
        version=number("version") or 0,
        first_at=number("first_at"),
        last_at=number("last_at"),
        timer_at=number("timer_at"),
        sending=frozenset(str(e) for e in item.get("sending") or ()),
        sending_more=number("sending_more") or 0,
        sending_token=str(item["sending_token"]) if item.get("sending_token") else None,
        sending_until=number("sending_until"),
    )
