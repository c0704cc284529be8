"""The emulator's TransactWriteItems (scripts/local_stack/moto_transactions.py): moto's answers and atomicity, at the
cost of the items a transaction names rather than a copy of the whole table."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table

from scripts.local_stack import moto_transactions
from tests.support.aws import REGION, create_table

TABLE = "tx-test"


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    moto_transactions.install()  # the suite's conftest did already; installing again changes nothing
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, TABLE)  # the real table: streams on, four GSIs
        yield client


def key(pk: str, sk: str = "A") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def put(pk: str, sk: str = "A", **attrs: Any) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {**key(pk, sk), **{k: {"N": str(v)} for k, v in attrs.items()}}}}


def add(pk: str, n: int, condition: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "TableName": TABLE,
        "Key": key(pk),
        "UpdateExpression": "ADD n :n",
        "ExpressionAttributeValues": {":n": {"N": str(n)}},
    }
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def everything(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def stream_records(client: Any) -> list[dict[str, Any]]:
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return list(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"])


def test_a_committed_transaction_writes_every_item_and_its_stream_records(ddb: Any) -> None:
    ddb.put_item(TableName=TABLE, Item={**key("a"), "n": {"N": "1"}})
    ddb.transact_write_items(
        TransactItems=[add("a", 2), put("b", n=5), {"Delete": {"TableName": TABLE, "Key": key("a", "B")}}]
    )
    assert [(i["pk"]["S"], i["n"]["N"]) for i in everything(ddb)] == [("a", "3"), ("b", "5")]
    assert [r["eventName"] for r in stream_records(ddb)] == ["INSERT", "MODIFY", "INSERT"]


def test_a_cancelled_transaction_leaves_items_and_stream_as_they_were(ddb: Any) -> None:
    ddb.put_item(TableName=TABLE, Item={**key("a"), "n": {"N": "1"}})
    ddb.put_item(TableName=TABLE, Item={**key("c"), "n": {"N": "7"}})
    before, records = everything(ddb), stream_records(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                add("a", 2),  # applied by moto, then undone
                put("b", n=5),  # a new item, then gone again
                {"Delete": {"TableName": TABLE, "Key": key("c")}},  # deleted, then back
                add("d", 1, condition="attribute_exists(pk)"),  # fails: cancels them all
            ]
        )
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in caught.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert everything(ddb) == before
    assert stream_records(ddb) == records
    # and the table goes on as before: the next write's record follows on from the ones kept
    ddb.transact_write_items(TransactItems=[add("a", 10)])
    assert [i["n"]["N"] for i in everything(ddb)] == ["11", "7"]
    assert [r["eventName"] for r in stream_records(ddb)] == ["INSERT", "INSERT", "MODIFY"]


def test_an_invalid_transaction_is_refused_and_changes_nothing(ddb: Any) -> None:
    ddb.put_item(TableName=TABLE, Item={**key("a"), "n": {"N": "1"}})
    before = everything(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(TransactItems=[add("b", 1), add("a", 1), add("a", 2)])  # one item twice
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert everything(ddb) == before


def test_no_transaction_copies_the_table(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost of a transaction is its items': moto's per-transaction copy of the whole table is gone."""
    items = [{"PutRequest": {"Item": {**key(f"p{i}"), "n": {"N": str(i)}}}} for i in range(300)]
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={TABLE: items[start : start + 25]})
    copied: list[str] = []
    real = copy.deepcopy

    def spy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            copied.append(value.name)
        return real(value, memo)

    monkeypatch.setattr(copy, "deepcopy", spy)
    ddb.transact_write_items(TransactItems=[add("p1", 1), add("p2", 1)])
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[add("p3", 1), add("nope", 1, condition="attribute_exists(pk)")])
    assert copied == []
    assert {i["pk"]["S"]: i["n"]["N"] for i in everything(ddb)}["p3"] == "3"
