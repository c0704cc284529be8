"""purge.handler on moto, fed the table's real stream records (moto implements DynamoDB Streams) exactly as the
event source mapping feeds it — through resources.json's filter. A photo removed by its owner or by the TTL leaves
no object version, derivative, hash record, term or share behind; a replay is harmless; a failure is retried alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from photovault import composition, keys
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.shares import DynamoShareRepository
from photovault.ports import Share
from photovault.purge.service import CleanupStep, PurgePhoto
from scripts.local_stack.event_filter import matches_any
from scripts.local_stack.streams import ServiceRemovals, lambda_record
from scripts.local_stack.ttl import TtlSweeper
from tests.integration.api.apitools import seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.support.aws import spec
from tests.support.events import stream_event
from tests.support.fakes import make_photo
from tests.support.lambda_context import lambda_context

OWNER, OTHER = "alice-0001", "bob-0002"
PURGE_FILTER = spec()["purge"]["filter_patterns"]


class Table:
    """The test's view of the table's stream: every record since the last read, as Lambda would get them."""

    def __init__(self, stack: Stack, removals: ServiceRemovals) -> None:
        import boto3
        from botocore.config import Config

        self.stack = stack
        self.removals = removals
        # botocore ≥ 1.40 sends Streams calls to account-based endpoints (<account>.streams-ddb…), which moto's
        # in-process mock does not route; the regional endpoint is the same API.
        self.streams = boto3.client(
            "dynamodbstreams", region_name="eu-west-1", config=Config(account_id_endpoint_mode="disabled")
        )
        self.arn = stack.dynamodb.describe_table(TableName=stack.table)["Table"]["LatestStreamArn"]
        self.after: str | None = None

    def new_records(self) -> list[dict[str, Any]]:
        shard = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        args: dict[str, Any] = {"StreamArn": self.arn, "ShardId": shard}
        if self.after is None:
            args["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self.after)
        iterator = self.streams.get_shard_iterator(**args)["ShardIterator"]
        records = self.streams.get_records(ShardIterator=iterator)["Records"]
        if records:
            self.after = records[-1]["dynamodb"]["SequenceNumber"]
        return [lambda_record(r, stream_arn=self.arn, region="eu-west-1", removals=self.removals) for r in records]

    def mapped(self) -> dict[str, Any]:
        """The next event the purge's mapping would send: new records that pass the filter."""
        return stream_event([r for r in self.new_records() if matches_any(PURGE_FILTER, r)])


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    from photovault.handlers import purge

    return purge.handler(event, lambda_context("photovault-test-purge", timeout_seconds=60))


def put_versions(stack: Stack, bucket: str, key: str, count: int, *, delete_marker: bool = False) -> None:
    for n in range(count):
        stack.s3.put_object(Bucket=bucket, Key=key, Body=f"version {n} of {key}".encode())
    if delete_marker:
        stack.s3.delete_object(Bucket=bucket, Key=key)


def versions_under(stack: Stack, bucket: str, prefix: str) -> int:
    listed = stack.s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


def seed(stack: Stack, owner: str, *, shares: int = 2) -> Any:
    """A processed photo as the worker leaves it (item, terms, hash, facets), its original with two versions and a
    delete marker, two versions of each derivative, and share links."""
    photo = make_photo(owner, labels=[("Lighthouse", 97.0), ("Sea", 90.0)], text=["welcome"])
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    put_versions(stack, stack.originals, keys.originals_key(owner, photo.photo_id), 2, delete_marker=True)
    for kind in ("thumb", "preview"):
        put_versions(stack, stack.derivatives, keys.derivative_key(photo, kind), 2)
    repo = DynamoShareRepository(stack.dynamodb, stack.table)
    for n in range(shares):
        repo.create(
            Share(f"token-{photo.photo_id[-12:]}-{n:02d}xxxx", owner, photo.photo_id, "2026-01-01T00:00:00Z", 2**31)
        )
    item = stack.dynamodb.get_item(
        TableName=stack.table, Key=serialize({"pk": keys.user_pk(owner), "sk": keys.photo_sk(photo.photo_id)})
    )["Item"]
    return deserialize(item)


def left(stack: Stack, item: dict[str, Any]) -> dict[str, int]:
    owner, photo_id = item["owner"], item["photo_id"]
    ddb = stack.dynamodb

    def count(pk: str, sk: str) -> int:
        return int("Item" in ddb.get_item(TableName=stack.table, Key=serialize({"pk": pk, "sk": sk})))

    shares = ddb.query(
        TableName=stack.table,
        IndexName=keys.GSI2,
        KeyConditionExpression="gsi2pk = :o",
        FilterExpression="photo_id = :p",
        ExpressionAttributeValues=serialize({":o": keys.owner_gsi2pk(owner), ":p": photo_id}),
    )["Count"]
    return {
        "photo item": count(keys.user_pk(owner), keys.photo_sk(photo_id)),
        "terms": sum(count(keys.term_pk(owner, term), keys.photo_sk(photo_id)) for term in item["indexed_terms"]),
        "hash": count(keys.hash_pk(owner, item["facts"]["sha256"]), keys.HASH_SK),
        "shares": shares,
        "original versions": versions_under(stack, stack.originals, keys.originals_key(owner, photo_id)),
        "derivative versions": versions_under(stack, stack.derivatives, keys.media_prefix(item["media_id"])),
    }


NOTHING = {"photo item": 0, "terms": 0, "hash": 0, "shares": 0, "original versions": 0, "derivative versions": 0}


@pytest.fixture
def table(versioned: Stack) -> Table:
    return Table(versioned, ServiceRemovals())


def test_a_photo_deleted_for_good_leaves_nothing_behind(versioned: Stack, table: Table) -> None:
    # Given a processed photo with everything it points at, and another owner's and another photo of the owner's
    doomed, kept, theirs = seed(versioned, OWNER), seed(versioned, OWNER), seed(versioned, OTHER)
    table.new_records()  # what seeding wrote; the purge's filter passes none of it
    assert left(versioned, doomed)["terms"] >= 3 and left(versioned, doomed)["original versions"] == 3

    # When its owner deletes it for good (the photo item goes) and the stream's record reaches the purge
    versioned.dynamodb.delete_item(
        TableName=versioned.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(doomed["photo_id"])})
    )
    event = table.mapped()
    assert [r["eventName"] for r in event["Records"]] == ["REMOVE"]
    response = invoke(event)

    # Then every object version, derivative, hash record, term and share is gone — and nothing else
    assert response == {"batchItemFailures": []}
    assert left(versioned, doomed) == NOTHING
    for other in (kept, theirs):
        assert left(versioned, other) == {
            **NOTHING,
            "photo item": 1,
            "terms": len(other["indexed_terms"]),
            "hash": 1,
            "shares": 2,
            "original versions": 3,
            "derivative versions": 4,
        }

    # And the stream's records of the purge's own deletes (terms, hash, shares) pass no filter: no feedback loop
    assert table.mapped() == {"Records": []}


def test_a_photo_expired_by_the_ttl_is_purged_the_same_way(
    versioned: Stack, table: Table, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a photo trashed 31 days ago (its TTL passed)
    doomed = seed(versioned, OWNER)
    versioned.dynamodb.update_item(
        TableName=versioned.table,
        Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(doomed["photo_id"])}),
        UpdateExpression="SET trashed_at = :t, expires_at = :e",
        ExpressionAttributeValues=serialize({":t": "2026-01-01T00:00:00.000Z", ":e": 1_767_225_600 + 30 * 86_400}),
    )
    table.new_records()

    # When DynamoDB's TTL process removes it (the local stack's sweeper plays it) and the record reaches the purge
    sweeper = TtlSweeper(
        dynamodb=versioned.dynamodb, table=versioned.table, attribute="expires_at", removals=table.removals
    )
    assert sweeper.sweep_once(now=1_767_225_600 + 31 * 86_400) == 1
    event = table.mapped()
    assert event["Records"][0]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    capsys.readouterr()
    assert invoke(event) == {"batchItemFailures": []}

    # Then nothing is left, and the metrics say a photo expired
    assert left(versioned, doomed) == NOTHING
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert any(m.get("PhotosExpired") == [1.0] and m.get("PurgedObjects") == [7.0] for m in emitted), emitted


def test_replaying_the_same_records_is_harmless(versioned: Stack, table: Table) -> None:
    doomed, kept = seed(versioned, OWNER), seed(versioned, OWNER)
    table.new_records()
    versioned.dynamodb.delete_item(
        TableName=versioned.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(doomed["photo_id"])})
    )
    event = table.mapped()
    assert invoke(event) == {"batchItemFailures": []}

    assert invoke(event) == {"batchItemFailures": []}  # a retried batch, a bisected half, a replay
    assert invoke(event) == {"batchItemFailures": []}

    assert left(versioned, doomed) == NOTHING
    assert left(versioned, kept)["original versions"] == 3 and left(versioned, kept)["photo item"] == 1


def test_a_record_that_fails_is_reported_alone_and_its_retry_completes(versioned: Stack, table: Table) -> None:
    first, second = seed(versioned, OWNER), seed(versioned, OWNER)
    table.new_records()
    for item in (first, second):
        versioned.dynamodb.delete_item(
            TableName=versioned.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(item["photo_id"])})
        )
    event = table.mapped()
    real = composition.purge()

    def fails_for_first(photo: Any) -> int:
        if photo.photo_id == first["photo_id"]:
            raise ConnectionError("S3 unreachable")
        return 0

    composition.override(purge=PurgePhoto([CleanupStep("flaky", fails_for_first), *real_steps(real)]))
    response = invoke(event)

    first_sequence = event["Records"][0]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": first_sequence}]}
    assert left(versioned, second) == NOTHING

    composition.reset()  # the outage is over: the mapping retries from the failed record
    retry = stream_event([r for r in event["Records"] if r["dynamodb"]["SequenceNumber"] >= first_sequence])
    assert invoke(retry) == {"batchItemFailures": []}
    assert left(versioned, first) == NOTHING


def real_steps(purge: PurgePhoto) -> list[CleanupStep]:
    return list(purge._steps)  # the composition's own steps, after the injected failure
