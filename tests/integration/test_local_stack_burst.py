"""``make run`` itself (a child process) under a burst, and stopped like a person stops it (issue 12's acceptance, at a
size that fits the suite; benchmarks/e2e.py runs 200 uploads).

A burst of uploads from many clients at once ends with every photo terminal, exactly one item each and no 5xx in the
emulator's log; SIGTERM in the middle of a burst, or Ctrl-C to the process group, ends the whole process tree (the
stack, its warm worker, multiprocessing's helper) within 10 s.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from photovault import keys
from scripts.local_stack.config import ResourceSpec
from scripts.local_stack.emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from scripts.local_stack.process import StackProcess
from scripts.local_stack.provision import DEMO_PASSWORD, DEMO_USERNAME
from scripts.local_stack.seed import DemoPhoto, upload
from tests.integration.local_stack_fixture import small_jpegs, token_sub, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-stack-process")]
SPEC = ResourceSpec.load()

UPLOADS = 40
CLIENTS = 20  # uploads in flight at once (each is two requests: POST /api/uploads, then the form to S3)
TERMINAL = {"READY", "REJECTED", "QUARANTINED", "DUPLICATE", "FAILED"}
STOP_DEADLINE_SECONDS = 10.0
SETTLE_SECONDS = 600.0  # a deadline for a loaded 2-core machine; on an idle one the burst settles in about a minute


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    process = StackProcess.start(tmp_path_factory.mktemp("make-run") / "make-run.log")
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.kill()


def client(stack: StackProcess, service: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY, region_name="eu-west-1"
    )
    return session.client(service, endpoint_url=stack.endpoint_url)  # type: ignore[call-overload]


def photos_of(stack: StackProcess, owner: str) -> dict[str, dict[str, Any]]:
    """Every photo item of ``owner`` (a Query on the owner's partition, as the API lists them)."""
    ddb, found = client(stack, "dynamodb"), {}
    args: dict[str, Any] = {
        "TableName": SPEC.name(SPEC.table["role"]),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :photo)",
        "ExpressionAttributeValues": {":pk": {"S": keys.user_pk(owner)}, ":photo": {"S": keys.PHOTO_PREFIX}},
        "ConsistentRead": True,
    }
    while True:
        page = ddb.query(**args)
        for raw in page.get("Items", []):
            photo = {name: TypeDeserializer().deserialize(value) for name, value in raw.items()}
            found[str(photo["photo_id"])] = photo
        if "LastEvaluatedKey" not in page:
            return found
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def burst(stack: StackProcess, token: str, photos: list[bytes], prefix: str) -> list[str]:
    def one(index: int) -> str:
        return upload(stack.url, token, DemoPhoto(f"{prefix}-{index:03d}.jpg", photos[index]))

    with ThreadPoolExecutor(CLIENTS, thread_name_prefix="burst") as pool:
        return list(pool.map(one, range(len(photos))))


def test_a_burst_of_uploads_ends_terminal_once_each_without_an_emulator_5xx(stack: StackProcess) -> None:
    # Given a signed-in person
    token = stack.sign_in(DEMO_USERNAME, DEMO_PASSWORD)["IdToken"]
    owner = token_sub(token)
    # When they upload 40 photos, 20 at a time, through the gateway and the presigned POST
    ids = burst(stack, token, small_jpegs(UPLOADS), "burst")
    # Then every upload was accepted and every photo ends in a state a person can read
    assert len(set(ids)) == UPLOADS and all(ids)

    def settled() -> dict[str, dict[str, Any]] | None:
        photos = photos_of(stack, owner)
        return photos if all(str(photos.get(i, {}).get("status")) in TERMINAL for i in ids) else None

    photos = wait_until(settled, timeout=SETTLE_SECONDS, interval=0.5)
    # And there is exactly one item per upload, none extra
    assert sorted(photos) == sorted(ids)
    # And nothing was parked in the DLQ, and the emulator never answered a 5xx
    sqs = client(stack, "sqs")
    dlq = sqs.get_queue_url(QueueName=SPEC.name(SPEC.ingest["dlq_role"]))["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0"
    }
    assert stack.emulator_5xx() == []


def test_sigterm_mid_burst_ends_the_process_tree_within_10_s(stack: StackProcess) -> None:
    # Given the stack busy with a fresh burst (the worker is mid-invocation)
    token = stack.sign_in(DEMO_USERNAME, DEMO_PASSWORD)["IdToken"]
    owner = token_sub(token)
    ids = burst(stack, token, small_jpegs(10, width=160, height=120), "late")
    wait_until(lambda: any(p.get("status") != "PENDING" for i, p in photos_of(stack, owner).items() if i in ids))
    assert len(stack.tree()) >= 2  # the stack and its warm worker at least

    # When it gets SIGTERM, it stops, says so, and the whole tree is gone within the deadline
    stack.stop(signal.SIGTERM, timeout=STOP_DEADLINE_SECONDS)
    assert stack.process.returncode == 0
    assert "Stopped." in stack.log_text()


def test_ctrl_c_ends_the_process_tree_within_10_s(tmp_path: Path) -> None:
    stack = StackProcess.start(tmp_path / "make-run.log")
    try:
        stack.stop(signal.SIGINT, group=True, timeout=STOP_DEADLINE_SECONDS)  # what a terminal's Ctrl-C sends
    finally:
        if stack.process.poll() is None:
            stack.kill()
    assert stack.process.returncode == 0
    assert "Stopped." in stack.log_text()
