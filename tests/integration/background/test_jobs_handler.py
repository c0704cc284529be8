"""The download job end to end on moto: POST /jobs through the API handler, the jobs queue driving jobs.handler one
step per message, zip parts in S3 written by multipart upload whose entries are byte-for-byte the originals
(SHA-256), a step that dies is redone without duplicates, GET /jobs/{id} shows progress and fresh links, and a job
never touches another owner's keys."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from photovault import keys
from photovault.adapters.dynamodb.codec import serialize
from tests.integration.api.apitools import bulk_seed, call
from tests.integration.api.conftest import JOBS_QUEUE_URL, Stack
from tests.support.events import sqs_event
from tests.support.fakes import make_photo
from tests.support.lambda_context import lambda_context

OWNER, OTHER = "alice-0001", "bob-0002"
PHOTO_BYTES = 250_000  # 60 photos ≈ 15 MB: three parts of at most 6 MB (small_parts)


@dataclass
class Library:
    ids: list[str]
    sha256: dict[str, str]


def library(stack: Stack, owner: str, count: int) -> Library:
    """READY photos whose facts (size, SHA-256) are those of their originals in the bucket, as the worker records."""
    photos, sha = [], {}
    for n in range(count):
        data = os.urandom(PHOTO_BYTES)
        photo = make_photo(owner, filename=f"IMG_{n % 7:04d}.jpg")  # repeated names on purpose
        assert photo.facts is not None
        digest = hashlib.sha256(data).hexdigest()
        photo = dataclasses.replace(photo, facts=dataclasses.replace(photo.facts, size_bytes=len(data), sha256=digest))
        stack.s3.put_object(Bucket=stack.originals, Key=keys.originals_key(owner, photo.photo_id), Body=data)
        photos.append(photo)
        sha[photo.photo_id] = digest
    bulk_seed(stack.dynamodb, stack.table, photos)
    return Library([p.photo_id for p in photos], sha)


class JobsQueue:
    """The jobs queue as Lambda's event source mapping uses it: receive one message, invoke, delete unless failed."""

    def __init__(self, stack: Stack) -> None:
        import boto3

        self.sqs = boto3.client("sqs", region_name="eu-west-1")

    def receive(self) -> dict[str, Any] | None:
        messages = self.sqs.receive_message(
            QueueUrl=JOBS_QUEUE_URL, MaxNumberOfMessages=1, AttributeNames=["All"], VisibilityTimeout=0
        ).get("Messages", [])
        return messages[0] if messages else None

    def deliver(self, message: dict[str, Any]) -> dict[str, Any]:
        from photovault.handlers import jobs

        response = jobs.handler(
            sqs_event([message], queue_arn="arn:aws:sqs:eu-west-1:123456789012:photovault-test-jobs"),
            lambda_context("photovault-test-jobs", timeout_seconds=300),
        )
        if not response["batchItemFailures"]:
            self.sqs.delete_message(QueueUrl=JOBS_QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
        return dict(response)

    def run(self, *, steps: int = 50) -> int:
        delivered = 0
        while (message := self.receive()) is not None and delivered < steps:
            assert self.deliver(message) == {"batchItemFailures": []}
            delivered += 1
        return delivered


def get_job(job_id: str, sub: str = OWNER) -> Any:
    return call("GET", f"/jobs/{job_id}", sub=sub)


def part_bytes(stack: Stack, file: dict[str, Any]) -> bytes:
    """What the link gives: exactly the version it names, as the attachment it names."""
    url = urlsplit(file["url"])
    query = parse_qs(url.query)
    assert file["name"] in query["response-content-disposition"][0]
    assert 0 <= file["expires_at"] - time.time() <= 900
    key = url.path.split("/", 2)[2] if url.path.startswith(f"/{stack.originals}/") else url.path.lstrip("/")
    assert key.startswith(f"exports/{OWNER}/")
    body = stack.s3.get_object(Bucket=stack.originals, Key=key, VersionId=query["versionId"][0])["Body"].read()
    assert len(body) == file["size_bytes"]
    return bytes(body)


def entries(stack: Stack, job: dict[str, Any], tmp: Path) -> list[tuple[str, str]]:
    """(photo id, SHA-256 of the entry's bytes) for every file of every part; every part a valid zip with a manifest,
    which Info-ZIP (when installed) tests as a person's tool would read it: stored entries with data descriptors."""
    found = []
    for file in job["files"]:
        data = part_bytes(stack, file)
        if shutil.which("unzip"):
            (tmp / file["name"]).write_bytes(data)
            check = subprocess.run(["unzip", "-tq", str(tmp / file["name"])], capture_output=True, check=False)
            assert check.returncode == 0 and b"No errors" in check.stdout, check.stdout + check.stderr
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            manifest = json.loads(archive.read("manifest.json"))
            assert len(manifest["files"]) == file["photos"]
            for item in manifest["files"]:
                digest = hashlib.sha256(archive.read(item["name"])).hexdigest()
                assert digest == item["sha256"]
                found.append((item["photo_id"], digest))
    return found


def unfinished_uploads(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.s3.list_multipart_uploads(Bucket=stack.originals, Prefix="exports/").get("Uploads", []))


@pytest.mark.usefixtures("small_parts")
def test_sixty_photos_download_as_parts_whose_entries_are_the_originals(versioned: Stack, tmp_path: Path) -> None:
    # Given 60 photos (≈ 15 MB)
    mine = library(versioned, OWNER, 60)

    # When their download is asked for
    accepted = call("POST", "/jobs", sub=OWNER, body={"kind": "download", "photo_ids": mine.ids})
    assert accepted.status == 202 and accepted.headers["Location"] == f"/api/jobs/{accepted.json['id']}"
    job_id = accepted.json["id"]
    queued = get_job(job_id).json
    assert (queued["state"], queued["progress"], queued["files"]) == ("queued", {"done": 0, "total": 60}, [])

    # … and the queue runs it: plan, then parts; progress is visible half-way
    queue = JobsQueue(versioned)
    queue.run(steps=2)
    halfway = get_job(job_id).json
    assert halfway["state"] == "running" and 0 < halfway["progress"]["done"] < 60 and len(halfway["files"]) == 1
    queue.run()

    # Then the job is done with parts of at most 6 MB holding every original once, byte for byte
    done = get_job(job_id).json
    assert done["state"] == "done" and done["progress"] == {"done": 60, "total": 60} and done["error"] is None
    assert len(done["files"]) == 3 and all(f["size_bytes"] <= 6 * 1024 * 1024 + 100_000 for f in done["files"])
    assert sum(f["photos"] for f in done["files"]) == 60
    got = entries(versioned, done, tmp_path)
    assert sorted(got) == sorted(mine.sha256.items())
    assert not unfinished_uploads(versioned)
    # And a second read mints new links for the same objects
    again = get_job(job_id).json
    assert [f["name"] for f in again["files"]] == [f["name"] for f in done["files"]]


@pytest.mark.usefixtures("small_parts")
def test_a_step_that_dies_mid_part_is_redone_from_its_checkpoint_without_duplicates(
    versioned: Stack, tmp_path: Path
) -> None:
    # Given a download whose first part is written, and S3 failing on the 8th original of the next step
    mine = library(versioned, OWNER, 60)
    job_id = call("POST", "/jobs", sub=OWNER, body={"kind": "download", "photo_ids": mine.ids}).json["id"]
    queue = JobsQueue(versioned)
    queue.run(steps=2)
    before = get_job(job_id).json
    from photovault.adapters.clients import client

    s3 = client("s3")
    reads = {"n": 0}

    def flaky(params: dict[str, Any], **_: Any) -> None:
        if params["Key"].startswith("uploads/"):
            reads["n"] += 1
            if reads["n"] == 8:
                raise ConnectionResetError("S3 went away mid-step")

    s3.meta.events.register("before-parameter-build.s3.GetObject", flaky)
    try:
        message = queue.receive()
        assert message is not None
        response = queue.deliver(message)
    finally:
        s3.meta.events.unregister("before-parameter-build.s3.GetObject", flaky)

    # When the step fails: the message is reported failed (SQS redelivers it), the job is unchanged
    assert response == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert get_job(job_id).json["progress"] == before["progress"]
    # (A step killed outright cannot abort its upload: plant the unfinished upload such a kill leaves.)
    planted = versioned.s3.create_multipart_upload(
        Bucket=versioned.originals, Key=keys.export_part_key(OWNER, job_id, 2)
    )["UploadId"]
    # … and after the visibility timeout (six function timeouts) the step's lease has long expired
    versioned.dynamodb.update_item(
        TableName=versioned.table,
        Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.job_sk(job_id)}),
        UpdateExpression="SET lease_until = :expired",
        ExpressionAttributeValues=serialize({":expired": 0}),
    )
    queue.run()

    # Then the job finishes with every photo exactly once and no unfinished upload left
    done = get_job(job_id).json
    assert done["state"] == "done"
    got = entries(versioned, done, tmp_path)
    assert len(got) == 60 and sorted(got) == sorted(mine.sha256.items())
    assert planted not in {u["UploadId"] for u in unfinished_uploads(versioned)} and not unfinished_uploads(versioned)


def test_another_users_job_is_404_and_a_job_never_reads_another_owners_keys(versioned: Stack, tmp_path: Path) -> None:
    # Given Alice's photos and Bob's, and a recorder of every S3 key the functions read
    mine, theirs = library(versioned, OWNER, 3), library(versioned, OTHER, 3)
    from photovault.adapters.clients import client

    read: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        read.append(params["Key"])

    client("s3").meta.events.register("before-parameter-build.s3.GetObject", record)
    try:
        # When Alice asks for her photos and Bob's
        job_id = call("POST", "/jobs", sub=OWNER, body={"kind": "download", "photo_ids": mine.ids + theirs.ids}).json[
            "id"
        ]
        JobsQueue(versioned).run()
    finally:
        client("s3").meta.events.unregister("before-parameter-build.s3.GetObject", record)

    # Then Bob cannot see her job, her download holds only her photos, and no key of Bob's was read
    assert get_job(job_id, sub=OTHER).status == 404
    done = get_job(job_id).json
    assert sorted(entries(versioned, done, tmp_path)) == sorted(mine.sha256.items())
    assert read and all(not key.startswith(f"uploads/{OTHER}/") for key in read)
    with zipfile.ZipFile(io.BytesIO(part_bytes(versioned, done["files"][0]))) as archive:
        left_out = json.loads(archive.read("manifest.json"))["left_out"]
    assert sorted(item["photo_id"] for item in left_out) == sorted(theirs.ids)
    assert {item["reason"] for item in left_out} == {"not_found"}


def test_a_request_the_kind_refuses_is_a_400_and_nothing_is_queued(versioned: Stack) -> None:
    queue = JobsQueue(versioned)
    for body in (
        {"kind": "download", "photo_ids": []},
        {"kind": "download", "photo_ids": ["not-an-id"]},
        {"kind": "teleport", "photo_ids": ["0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d"]},
        {"kind": "download", "photo_ids": ["0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d"], "owner": OTHER},
    ):
        response = call("POST", "/jobs", sub=OWNER, body=body)
        assert response.status == 400, (body, response.text)
        assert response.json["code"] == "invalid_input"
    assert queue.receive() is None
