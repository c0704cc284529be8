"""Issue 17's account jobs end to end on moto, through the API handler and the jobs queue: "Download everything"
exports every original byte for byte with a metadata.json whose SHA-256s the archive bears out; "Delete my account"
seals the account at once, erases every store (both buckets with every version, the table, the vectors, the Cognito
user) and leaves nothing that names the owner while another user's data is untouched — also when every step dies
after its work and is run again."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import numpy as np
import pytest

from photovault import composition, keys
from photovault.adapters.clients import client
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.dynamodb.jobs import DynamoJobRepository
from photovault.adapters.dynamodb.people import DynamoPeopleRepository
from photovault.adapters.dynamodb.sessions import DynamoSessionRepository
from photovault.adapters.sqs import SqsJobQueue
from photovault.jobs.delete_account import DeleteAccount
from photovault.model import BoundingBox, Photo, PhotoStatus, SignOut
from photovault.people.model import Person, PersonFace
from photovault.settings import get_settings
from scripts import resume_job
from scripts.local_stack.offline.face_index import DlibFaceIndex, Stored, TableDescriptors
from tests.integration.api.apitools import bulk_seed, call, invoke
from tests.integration.api.conftest import EVENTS_TOPIC_ARN, JOBS_QUEUE_URL, Stack
from tests.integration.background.test_jobs_handler import JobsQueue
from tests.support.events import http_event
from tests.support.fakes import make_photo

VECTOR_BUCKET, VECTOR_INDEX, DIM = "photovault-test-vectors", "photos-256", 256


@dataclasses.dataclass
class World:
    stack: Stack
    pool: str
    alice: str  # Cognito subs: the owners
    bob: str


@pytest.fixture
def world(versioned: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The stack with a Cognito pool holding two users and an S3 Vectors index, as the jobs function sees them."""
    idp = boto3.client("cognito-idp", region_name="eu-west-1")
    pool = idp.create_user_pool(PoolName="photovault-test-users", UsernameAttributes=["email"])["UserPool"]["Id"]
    subs = []
    for email in ("alice@example.com", "bob@example.com"):
        user = idp.admin_create_user(UserPoolId=pool, Username=email)["User"]
        subs.append(next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub"))
    vectors = client("s3vectors")
    vectors.create_vector_bucket(vectorBucketName=VECTOR_BUCKET)
    vectors.create_index(
        vectorBucketName=VECTOR_BUCKET,
        indexName=VECTOR_INDEX,
        dataType="float32",
        dimension=DIM,
        distanceMetric="cosine",
    )
    for name, value in {
        "USER_POOL_ID": pool,
        "VECTOR_BUCKET": VECTOR_BUCKET,
        "VECTOR_INDEX": VECTOR_INDEX,
        "EMBEDDING_DIMENSION": str(DIM),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    composition.reset()
    # The face index as the local stack has it (moto has no Rekognition collections): descriptors in the table
    composition.override(face_index=DlibFaceIndex(TableDescriptors(versioned.dynamodb, versioned.table)))
    yield World(versioned, pool, subs[0], subs[1])
    get_settings.cache_clear()
    composition.reset()


def seed_library(stack: Stack, owner: str, count: int, *, size: int = 2_000) -> dict[str, str]:
    """``count`` READY photos with their originals (2 KB each) and derivatives, as the worker leaves them; a few
    other photos the vault keeps no bytes of. Returns photo id -> SHA-256 of its original."""
    photos: list[Photo] = []
    sha: dict[str, str] = {}
    for n in range(count):
        data = os.urandom(size)
        photo = make_photo(owner, filename=f"IMG_{n % 9:04d}.jpg")
        assert photo.facts is not None and photo.media_id is not None
        digest = hashlib.sha256(data).hexdigest()
        photo = dataclasses.replace(photo, facts=dataclasses.replace(photo.facts, size_bytes=size, sha256=digest))
        stack.s3.put_object(Bucket=stack.originals, Key=keys.originals_key(owner, photo.photo_id), Body=data)
        for kind in ("thumb", "preview"):
            stack.s3.put_object(Bucket=stack.derivatives, Key=keys.derivative_key(photo, kind), Body=b"webp")
        photos.append(photo)
        sha[photo.photo_id] = digest
    rejected = make_photo(owner, status=PhotoStatus.REJECTED, filename="broken.jpg")
    bulk_seed(stack.dynamodb, stack.table, [*photos, rejected])
    return sha


def part_bytes(stack: Stack, file: dict[str, Any]) -> bytes:
    """The part its link names (exactly that version)."""
    url = urlsplit(file["url"])
    key = url.path.split("/", 2)[2] if url.path.startswith(f"/{stack.originals}/") else url.path.lstrip("/")
    version = parse_qs(url.query)["versionId"][0]
    return bytes(stack.s3.get_object(Bucket=stack.originals, Key=key, VersionId=version)["Body"].read())


def run_export(owner: str, queue: JobsQueue) -> dict[str, Any]:
    accepted = call("POST", "/jobs", sub=owner, body={"kind": "export"})
    assert accepted.status == 202, accepted.json
    queue.run(steps=100)
    job = call("GET", f"/jobs/{accepted.json['id']}", sub=owner).json
    assert job["kind"] == "export" and job["state"] == "done", job
    return dict(job)


def test_an_export_of_200_photos_holds_every_original_with_the_sha256_its_metadata_gives(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 200 photos (and a refused upload, whose bytes the vault does not keep), in parts of at most 150 photos
    monkeypatch.setenv("EXPORT_PART_MAX_PHOTOS", "150")
    get_settings.cache_clear()
    composition.reset()
    stack = world.stack
    sha = seed_library(stack, world.alice, 200)
    seed_library(stack, world.bob, 3)

    # When "Download everything" runs to the end
    started = time.perf_counter()
    job = run_export(world.alice, JobsQueue(stack))
    elapsed = time.perf_counter() - started

    # Then every original is in the archive once, and the SHA-256 of its bytes is the one metadata.json gives
    archived: dict[str, bytes] = {}
    metadata: dict[str, Any] | None = None
    for file in job["files"]:
        with zipfile.ZipFile(io.BytesIO(part_bytes(stack, file))) as archive:
            for name in archive.namelist():
                if name == "manifest.json":  # each part's own list
                    continue
                assert name not in archived, f"{name} is in two parts"
                archived[name] = archive.read(name)
    metadata = json.loads(archived.pop("metadata.json"))
    assert len(job["files"]) == 2 and job["progress"] == {"done": 201, "total": 201}
    photos = {photo["id"]: photo for photo in metadata["photos"]}
    assert len(photos) == 201 and metadata["format"] == "photovault-export/1"
    kept = {pid: photo for pid, photo in photos.items() if photo["file"] is not None}
    assert {pid: photo["sha256"] for pid, photo in kept.items()} == sha
    assert {pid: hashlib.sha256(archived[photo["file"]]).hexdigest() for pid, photo in kept.items()} == sha
    assert len(archived) == 200
    # … in the contract's shape (what GET /photos/{id} shows, without links), never storage attributes
    some = next(iter(kept.values()))
    assert {"id", "status", "filename", "labels", "caption", "albums", "size_bytes"} <= set(some)
    assert not {"urls", "neighbours", "owner", "pk", "media_id", "indexed_terms"} & set(some)
    total = sum(file["size_bytes"] for file in job["files"])
    print(f"\nexport: 200 photos, {total} bytes in {elapsed:.2f} s = {200 / elapsed:.0f} photos/s on moto")


# ---------------------------------------------------------------- deletion


def holdings(world: World, owner: str, media: set[str]) -> dict[str, int]:
    """Everything that names ``owner`` (or one of its derivative folders ``media``), counted store by store: every
    object version and delete marker of both buckets, every table item (any attribute), vectors, the Cognito user."""
    stack = world.stack
    counts: dict[str, int] = {}
    for role, bucket in (("originals", stack.originals), ("derivatives", stack.derivatives)):
        found = 0
        for page in stack.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                key = version["Key"]
                found += owner in key or any(f"media/{m}/" in key for m in media)
        uploads = stack.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        counts[role] = found + sum(owner in upload["Key"] for upload in uploads)
    items = 0
    for page in stack.dynamodb.get_paginator("scan").paginate(TableName=stack.table):
        items += sum(owner in json.dumps(item, default=str) for item in page["Items"])
    counts["items"] = items
    vectors = client("s3vectors").list_vectors(vectorBucketName=VECTOR_BUCKET, indexName=VECTOR_INDEX)
    counts["vectors"] = sum(v["key"].startswith(f"{owner}/") for v in vectors.get("vectors", []))
    users = boto3.client("cognito-idp", region_name="eu-west-1").list_users(UserPoolId=world.pool)["Users"]
    counts["users"] = sum(user["Username"] == owner for user in users)
    sns = boto3.client("sns", region_name="eu-west-1")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=EVENTS_TOPIC_ARN)["Subscriptions"]
    counts["subscriptions"] = sum(
        owner in json.dumps(sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"])
        for sub in subscriptions
    )
    return counts


def everything(world: World, owner: str, photos: int) -> set[str]:
    """A full library of ``owner``: photos with several versions of their originals and a delete marker, derivatives,
    vectors, an album, a share, an unfinished upload (quota item), a sign-out, a finished export and an unfinished
    multipart upload under its exports. Returns the photo's derivative folders."""
    stack = world.stack
    sha = seed_library(stack, owner, photos)
    ids = sorted(sha)
    stack.s3.put_object(Bucket=stack.originals, Key=keys.originals_key(owner, ids[0]), Body=b"a replayed upload")
    stack.s3.delete_object(Bucket=stack.originals, Key=keys.originals_key(owner, ids[1]))  # a delete marker
    vectors = client("s3vectors")
    vectors.put_vectors(
        vectorBucketName=VECTOR_BUCKET,
        indexName=VECTOR_INDEX,
        vectors=[
            {"key": f"{owner}/{pid}", "data": {"float32": [1.0] + [0.5] * (DIM - 1)}, "metadata": {"owner": owner}}
            for pid in ids
        ],
    )
    album = call("POST", "/albums", sub=owner, body={"name": "Summer"})
    assert album.status == 201, album.json
    added = call("POST", f"/albums/{album.json['id']}/photos", sub=owner, body={"photo_ids": ids[:5]})
    assert added.status == 200, added.json
    assert call("POST", f"/photos/{ids[2]}/shares", sub=owner, body={"expires_in": 3600}).status == 201
    upload = call("POST", "/uploads", sub=owner, body={"filename": "new.jpg", "content_type": "image/jpeg", "size": 10})
    assert upload.status == 201, upload.json
    run_export(owner, JobsQueue(stack))
    stack.s3.create_multipart_upload(Bucket=stack.originals, Key=f"exports/{owner}/left-by-a-dead-step.zip")
    DynamoSessionRepository(stack.dynamodb, stack.table).revoke_until(owner, SignOut(valid_after=1))
    seed_people(stack, owner, ids[:3])
    event = http_event("PUT", "/account/notifications", sub=owner, body={"email": True})
    event["requestContext"]["authorizer"]["jwt"]["claims"].update(email=f"{owner}@example.com", token_use="id")
    assert invoke(event).status == 200
    media = set()
    for page in stack.dynamodb.get_paginator("query").paginate(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=serialize({":pk": keys.user_pk(owner)}),
    ):
        media |= {item["media_id"]["S"] for item in page["Items"] if "media_id" in item}
    return media


def seed_people(stack: Stack, owner: str, photo_ids: list[str]) -> None:
    """A named person with a face in each of the photos, as the worker's people step leaves them: face and person
    items, the person-name index, and the face descriptors in the (local) face index."""
    repo = DynamoPeopleRepository(stack.dynamodb, stack.table)
    person_id = f"person-{owner[:8]}"
    faces = [
        PersonFace(
            owner,
            f"face-{n}",
            photo_id,
            person_id,
            BoundingBox(0.2, 0.2, 0.3, 0.3),
            99.0,
            f"media/x/face-{n}.webp",
            "0",
        )
        for n, photo_id in enumerate(photo_ids)
    ]
    repo.add(faces, [Person(owner, person_id, cover_key=faces[0].crop_key)])
    assert repo.rename(owner, person_id, "Alice Liddell") is not None
    TableDescriptors(stack.dynamodb, stack.table).put(
        owner, [Stored(face.face_id, face.photo_id, np.ones(128, dtype=np.float32)) for face in faces]
    )


def delete_account(owner: str) -> str:
    accepted = call("POST", "/account/deletion", sub=owner, body={"confirm": "DELETE"})
    assert accepted.status == 202, accepted.json
    return str(accepted.json["id"])


def test_deleting_an_account_leaves_nothing_of_it_and_every_other_users_data_as_it_was(world: World) -> None:
    # Given two full libraries
    alice_media = everything(world, world.alice, 40)
    bob_media = everything(world, world.bob, 5)
    before = holdings(world, world.alice, alice_media)
    assert all(before.values()), before
    bobs = holdings(world, world.bob, bob_media)

    # When alice deletes her account (only ever through its own route, which seals the account first)
    refused = call("POST", "/jobs", sub=world.alice, body={"kind": "delete_account"})
    assert refused.status == 400 and refused.json["code"] == "invalid_input", refused.json
    job_id = delete_account(world.alice)

    # Then from that moment her tokens are refused, but for following the deletion (the kept session)
    assert call("GET", "/photos", sub=world.alice).status == 401
    upload = {"filename": "late.jpg", "content_type": "image/jpeg", "size": 10}
    assert call("POST", "/uploads", sub=world.alice, body=upload).status == 401
    follow = call("GET", f"/jobs/{job_id}", sub=world.alice)
    assert follow.status == 200 and follow.json["kind"] == "delete_account", follow.json

    # And once the queue has run it, nothing names her anywhere; bob's data is exactly as it was
    started = time.perf_counter()
    steps = JobsQueue(world.stack).run(steps=100)
    elapsed = time.perf_counter() - started
    assert holdings(world, world.alice, alice_media) == dict.fromkeys(before, 0)
    assert holdings(world, world.bob, bob_media) == bobs
    assert call("GET", "/photos", sub=world.bob).status == 200
    # … and her session learns it is over: the job is gone with the account, her tokens still refused
    assert call("GET", f"/jobs/{job_id}", sub=world.alice).status == 404
    assert call("GET", "/photos", sub=world.alice).status == 401
    print(f"\ndeletion: 40 photos ({sum(before.values())} things) in {steps} steps, {elapsed:.2f} s on moto")


def test_a_deletion_whose_every_step_dies_after_its_work_is_run_again_and_still_leaves_nothing(world: World) -> None:
    # Given a full library being deleted
    media = everything(world, world.alice, 12)
    job_id = delete_account(world.alice)
    queue = JobsQueue(world.stack)
    job_keys = [
        serialize({"pk": keys.user_pk(world.alice), "sk": sk})
        for sk in (keys.job_sk(job_id), keys.job_input_sk(job_id))
    ]
    stack = world.stack

    # When every step does its work and then "dies" before its checkpoint counts (its job item is put back as it
    # was, the next step it queued is lost) and its message is delivered again
    repeated = 0
    while (message := queue.receive()) is not None:
        items = [
            stack.dynamodb.get_item(TableName=stack.table, Key=k, ConsistentRead=True).get("Item") for k in job_keys
        ]
        assert queue.deliver(message) == {"batchItemFailures": []}
        if items[0] is None:
            continue
        for item in items:
            stack.dynamodb.put_item(TableName=stack.table, Item=item)
        queued = queue.receive()
        if queued is not None:
            queue.sqs.delete_message(QueueUrl=JOBS_QUEUE_URL, ReceiptHandle=queued["ReceiptHandle"])
        queue.sqs.send_message(QueueUrl=JOBS_QUEUE_URL, MessageBody=message["Body"])
        redelivered = queue.receive()
        assert redelivered is not None and queue.deliver(redelivered) == {"batchItemFailures": []}
        repeated += 1
        assert repeated < 60

    # Then it still ends with nothing of alice left
    assert repeated >= 8
    assert holdings(world, world.alice, media) == {
        "originals": 0,
        "derivatives": 0,
        "items": 0,
        "vectors": 0,
        "users": 0,
        "subscriptions": 0,
    }


def test_a_deletion_whose_step_failed_on_every_delivery_is_taken_up_again_by_the_operator_and_finishes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a deletion two steps in
    media = everything(world, world.alice, 12)
    job_id = delete_account(world.alice)
    queue = JobsQueue(world.stack)
    assert queue.run(steps=2) == 2

    # When its next step raises on every one of its deliveries (a dependency down)
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("S3 is unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(DeleteAccount, "step", broken)
        while (message := queue.receive()) is not None:
            delivery = int(message["Attributes"]["ApproximateReceiveCount"])
            failures = queue.deliver(message)["batchItemFailures"]
            assert bool(failures) == (delivery < get_settings().jobs_max_receive_count), (delivery, failures)
            # The next delivery comes after the visibility timeout, which outlasts the failed step's lease
            world.stack.dynamodb.update_item(
                TableName=world.stack.table,
                Key=serialize({"pk": keys.user_pk(world.alice), "sk": keys.job_sk(job_id)}),
                UpdateExpression="SET lease_until = :past",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=serialize({":past": 0}),
            )

    # Then on the last one the job ended FAILED, saying so to the session that follows it, and nothing is queued or
    # parked: her data is half erased and she can neither use nor delete the account any more
    follow = call("GET", f"/jobs/{job_id}", sub=world.alice)
    assert follow.json["state"] == "failed" and "failed repeatedly" in follow.json["error"]["message"], follow.json
    assert queue.receive() is None
    left = holdings(world, world.alice, media)
    assert any(left.values()), left
    assert call("POST", "/account/deletion", sub=world.alice, body={"confirm": "DELETE"}).status == 401

    # When the operator, the cause fixed, takes the job up again
    stack = world.stack
    result = resume_job.resume(
        DynamoJobRepository(stack.dynamodb, stack.table),
        SqsJobQueue(queue.sqs, JOBS_QUEUE_URL),
        world.alice,
        job_id,
    )
    assert result.outcome == "resumed", result

    # Then it goes on from its checkpoint and leaves nothing of her
    assert queue.run(steps=100) >= 1
    assert holdings(world, world.alice, media) == dict.fromkeys(left, 0)
    assert call("GET", f"/jobs/{job_id}", sub=world.alice).status == 404


def test_a_user_federated_through_a_social_provider_is_found_by_its_sub_and_deleted(world: World) -> None:
    # Given a user whose user name is not its sub (Cognito names federated users after their provider)
    from photovault.adapters.cognito import CognitoUsers

    idp = boto3.client("cognito-idp", region_name="eu-west-1")
    pool = idp.create_user_pool(PoolName="photovault-test-social")["UserPool"]["Id"]
    user = idp.admin_create_user(UserPoolId=pool, Username="Google_109876543210")["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    idp.admin_create_user(UserPoolId=pool, Username="Google_555")
    users = CognitoUsers(client("cognito-idp"), pool)

    # When it is deleted by its sub, twice (a step run again)
    assert users.delete_user(sub) is True
    assert users.delete_user(sub) is False

    # Then it is gone, and only it
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool)["Users"]] == ["Google_555"]
