"""The local stack runs the purge and the jobs function the way AWS does: a photo trashed long ago is expired by the
TTL sweeper (DynamoDB's TTL process), its REMOVE travels the table's real stream through the mapping's filter to
purge.handler, and nothing of it is left; a download asked for through the gateway runs on the jobs queue and its
link (the emulator's presigned URL) gives a zip with the originals."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from photovault import keys
from photovault.adapters.dynamodb.codec import photo_item, serialize
from photovault.search.index import stamp_index
from scripts.local_stack.stack import LocalStack, StackOptions
from tests.integration.local_stack_fixture import echo_api, sign_in, wait_until
from tests.support.fakes import make_photo

PHOTO_BYTES = 40_000


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The real API, purge and jobs handlers; a stub worker (no photo is uploaded here: they are seeded)."""
    options = StackOptions(
        worker_handler=echo_api, worker_in_subprocess=False, worker_init=None, seed=False, poll_wait_seconds=0
    )
    with LocalStack(options) as running:
        yield running


def demo_sub(stack: LocalStack) -> str:
    user = stack.client("cognito-idp").admin_get_user(
        UserPoolId=stack.resources.user_pool_id, Username=stack.resources.demo_username
    )
    return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))


def seed(stack: LocalStack, owner: str, **item: Any) -> tuple[str, str]:
    """A processed photo as the worker leaves it: item, terms, hash record, original, two derivatives. → (id, sha)
    Its item predates media ids (derivatives at ``media/<sub>/<photo_id>/``), as the trash holds after an upgrade."""
    data = os.urandom(PHOTO_BYTES)
    photo, postings = stamp_index(dataclasses.replace(make_photo(owner), media_id=None), 40.0)
    assert photo.facts is not None
    sha = hashlib.sha256(data).hexdigest()
    record = photo_item(photo)
    record["facts"] = {**record["facts"], "sha256": sha, "size_bytes": len(data)}
    record.update(item)
    ddb, s3, r = stack.client("dynamodb"), stack.client("s3"), stack.resources
    ddb.put_item(TableName=r.table_name, Item=serialize(record))
    ddb.put_item(
        TableName=r.table_name,
        Item=serialize({"pk": keys.hash_pk(owner, sha), "sk": keys.HASH_SK, "photo_id": photo.photo_id}),
    )
    for term in photo.indexed_terms:
        ddb.put_item(
            TableName=r.table_name,
            Item=serialize({"pk": keys.term_pk(owner, term), "sk": keys.photo_sk(photo.photo_id), "term": term}),
        )
    s3.put_object(Bucket=r.originals_bucket, Key=keys.originals_key(owner, photo.photo_id), Body=data)
    for kind in ("thumb", "preview"):
        s3.put_object(Bucket=r.derivatives_bucket, Key=keys.derivative_key(photo, kind), Body=b"webp")
    return photo.photo_id, sha


def left(stack: LocalStack, owner: str, photo_id: str) -> int:
    ddb, s3, r = stack.client("dynamodb"), stack.client("s3"), stack.resources
    items = sum(
        ddb.query(
            TableName=r.table_name,
            KeyConditionExpression="pk = :pk AND sk = :sk",
            ExpressionAttributeValues=serialize({":pk": pk, ":sk": keys.photo_sk(photo_id)}),
        )["Count"]
        for pk in [keys.user_pk(owner), *(keys.term_pk(owner, t) for t in ("dog", "beach"))]
    )
    objects = 0
    for bucket, prefix in (
        (r.originals_bucket, keys.originals_key(owner, photo_id)),
        (r.derivatives_bucket, keys.legacy_media_prefix(owner, photo_id)),
    ):
        listed = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
        objects += len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))
    return items + objects


def test_a_photo_trashed_past_its_ttl_is_purged_through_the_sweeper_and_the_stream(stack: LocalStack) -> None:
    # Given a photo trashed 31 days ago (its expires_at passed) and one that is not
    owner = demo_sub(stack)
    doomed, doomed_sha = seed(stack, owner, trashed_at="2026-01-01T00:00:00.000Z", expires_at=1_000_000)
    kept, _ = seed(stack, owner)
    assert left(stack, owner, doomed) == 6  # item, 2 terms, original, 2 derivatives
    async_functions = stack.async_functions
    assert async_functions is not None
    invocations = async_functions.stream_poller.stats.invocations

    # When DynamoDB's TTL process runs (the sweeper, sooner than its 60 s period)
    assert async_functions.sweeper.sweep_once() == 1

    # Then the stream poller hands exactly that REMOVE to purge.handler and nothing of the photo is left
    wait_until(lambda: left(stack, owner, doomed) == 0, timeout=30)
    ddb = stack.client("dynamodb")
    assert "Item" not in ddb.get_item(
        TableName=stack.resources.table_name, Key=serialize({"pk": keys.hash_pk(owner, doomed_sha), "sk": keys.HASH_SK})
    )
    assert left(stack, owner, kept) == 6
    stats = async_functions.stream_poller.stats
    assert stats.invocations == invocations + 1 and stats.parked == 0 and stats.filtered_out > 0


def test_a_download_asked_through_the_gateway_runs_on_the_jobs_queue(stack: LocalStack) -> None:
    owner = demo_sub(stack)
    photos = dict(seed(stack, owner) for _ in range(5))
    token = sign_in(stack, stack.resources.demo_username, stack.resources.demo_password)["IdToken"]
    headers = {"Authorization": f"Bearer {token}"}

    accepted = requests.post(
        f"{stack.url}/api/jobs", json={"kind": "download", "photo_ids": list(photos)}, headers=headers, timeout=10
    )
    assert accepted.status_code == 202, accepted.text
    url = f"{stack.url}/api/jobs/{accepted.json()['id']}"

    job = wait_until(
        lambda: (j := requests.get(url, headers=headers, timeout=10).json())["state"] == "done" and j, timeout=60
    )

    assert job["progress"] == {"done": 5, "total": 5} and len(job["files"]) == 1
    download = requests.get(job["files"][0]["url"], timeout=10)  # the presigned GET, served by the emulator
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        got = {item["photo_id"]: hashlib.sha256(archive.read(item["name"])).hexdigest() for item in manifest["files"]}
    assert got == photos
