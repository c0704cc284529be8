"""Operator scripts against the real local stack (issue 6's acceptance): a poisoned upload lands in the DLQ, the
operator fixes the cause and runs ``scripts.redrive`` — the photo ends READY, nothing lost or duplicated;
``scripts.reprocess`` runs a READY photo through the pipeline again, keeping the provenance of every run and leaving
search and facets as they were.

Everything is the real thing except AWS itself: moto server, the provisioner, the SQS poller feeding
``photovault.handlers.worker.handler`` in a warm child process (offline analyzer), the gateway with the real API
(uploads go ``POST /api/uploads`` → presigned POST, as a browser does). Failed messages are retried at once
(``failure_visibility_timeout=0``, ``PV_RETRY_DELAY=0`` of ``make run``) so five receives take seconds, not an hour.
The scripts run through their ``main()`` with ``--env local`` and ``AWS_ENDPOINT_URL`` pointing at the emulator (the
stack sets it), exactly the code path of ``python -m scripts.redrive --env local``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from scripts import redrive, reprocess
from scripts.inspect_photo import inspect_photo
from scripts.local_stack.jwt_auth import b64url_decode
from scripts.local_stack.provision import provision
from scripts.local_stack.seed import DemoPhoto, upload
from scripts.local_stack.stack import LocalStack, StackOptions
from scripts.ops_common import Names
from tests.integration.local_stack_fixture import sign_in, wait_until
from tests.support.photos import portrait

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-stack-operator-scripts")]

SETTLE_SECONDS = 90.0  # one photo through the offline analyzer is ~1-4 s; generous for a loaded 2-core machine
TERMINAL = ("READY", "REJECTED", "QUARANTINED", "DUPLICATE")


# ---------------------------------------------------------------- a photo the offline analyzer labels


# ---------------------------------------------------------------- the stack and what an operator sees of it


@dataclass
class Ops:
    """The running stack plus the handles the assertions need."""

    stack: LocalStack
    names: Names
    token: str
    owner: str
    tap_url: str  # an SQS queue subscribed to the photo-events topic: every notification the owner got

    def client(self, service: str) -> Any:
        return self.stack.client(service)

    # -- uploads

    def upload(self, filename: str, data: bytes) -> str:
        """The browser's path: POST /api/uploads (PENDING item + presigned POST), then the multipart POST to S3."""
        photo_id = upload(self.stack.url, self.token, DemoPhoto(filename, data))
        assert photo_id, "POST /api/uploads answered without a photo id"
        return photo_id

    # -- reads

    def photo(self, photo_id: str) -> dict[str, Any]:
        record = inspect_photo(
            dynamodb=self.client("dynamodb"),
            s3=self.client("s3"),
            table=self.names.table,
            originals_bucket=self.names.originals_bucket,
            derivatives_bucket=self.names.derivatives_bucket,
            owner=self.owner,
            photo_id=photo_id,
        )
        return record

    def item(self, photo_id: str) -> dict[str, Any]:
        return self.photo(photo_id)["item"] or {}

    def owner_items(self) -> list[dict[str, Any]]:
        """Every item of the owner's partitions (photo, terms, facets, content hashes) — a scan: test data is tiny."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.names.table}
        ddb = self.client("dynamodb")
        while True:
            page = ddb.scan(**request)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        prefix = f"USER#{self.owner}"
        return [i for i in items if i["pk"]["S"] == prefix or i["pk"]["S"].startswith(prefix + "#")]

    def photo_items(self) -> list[dict[str, Any]]:
        """The owner's photo items (the owner's partition also holds persons, albums, sessions…)."""
        return [
            i for i in self.owner_items() if i["pk"]["S"] == f"USER#{self.owner}" and i["sk"]["S"].startswith("PHOTO#")
        ]

    def terms(self, photo_id: str) -> dict[str, Any]:
        """term → the term item's ``matches`` for this photo."""
        prefix = f"USER#{self.owner}#T#"
        return {
            i["pk"]["S"].removeprefix(prefix): i["matches"]
            for i in self.owner_items()
            if i["pk"]["S"].startswith(prefix) and i["sk"]["S"] == f"PHOTO#{photo_id}"
        }

    def facets(self) -> dict[str, int]:
        return {
            i["sk"]["S"].removeprefix("LABEL#"): int(i["count"]["N"])
            for i in self.owner_items()
            if i["pk"]["S"] == f"USER#{self.owner}#FACETS"
        }

    def derivative_versions(self, item: dict[str, Any] | None = None) -> dict[str, int]:
        """derivative key → number of stored versions in the media folder the photo item records, or in the whole
        bucket without one (the bucket is versioned: a rewrite would add one)."""
        prefix = f"media/{item['media_id']}/" if item is not None else "media/"
        listing = self.client("s3").list_object_versions(Bucket=self.names.derivatives_bucket, Prefix=prefix)
        counts: dict[str, int] = {}
        for version in listing.get("Versions", []):
            counts[version["Key"]] = counts.get(version["Key"], 0) + 1
        return counts

    def depth(self, url: str) -> int:
        return redrive.depth(self.client("sqs"), url)

    def notifications(self) -> list[dict[str, str]]:
        """Drain the events tap: one dict of message attributes per SNS notification published since the last call."""
        sqs, seen = self.client("sqs"), list[dict[str, str]]()
        while True:
            messages = sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not messages:
                return seen
            for message in messages:
                envelope = json.loads(message["Body"])
                seen.append({k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()})
                sqs.delete_message(QueueUrl=self.tap_url, ReceiptHandle=message["ReceiptHandle"])

    # -- waits (deadlines, never fixed sleeps)

    def wait_for_status(self, photo_id: str, status: str, *, extra: Any = None) -> dict[str, Any]:
        def settled() -> dict[str, Any] | None:
            item = self.item(photo_id)
            if item.get("status") in TERMINAL and item.get("status") != status:
                pytest.fail(f"photo ended {item.get('status')}: {item.get('reason_code')} {item.get('reason')}")
            done = item.get("status") == status and item.get("notified_at") and (extra is None or extra(item))
            return item if done else None

        return wait_until(settled, timeout=SETTLE_SECONDS, interval=0.2)  # type: ignore[no-any-return]

    def wait_for_quiet_queues(self) -> None:
        """Nothing left on the ingest queue or in flight (the poller deleted what it processed)."""
        wait_until(lambda: self.depth(self.stack.resources.queue_url) == 0, timeout=SETTLE_SECONDS, interval=0.2)


def upload_event(ops: Ops, photo_id: str) -> str:
    """The S3 ``ObjectCreated`` message the emulator sent for an upload (moto's shape: no versionId, key encoded)."""
    key = f"uploads/{ops.owner}/{photo_id}"
    head = ops.client("s3").head_object(Bucket=ops.names.originals_bucket, Key=key)
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Post",
        "s3": {
            "bucket": {"name": ops.names.originals_bucket},
            "object": {"key": quote(key, safe=""), "size": head["ContentLength"], "eTag": head["ETag"].strip('"')},
        },
    }
    return json.dumps({"Records": [record]})


def _claims(token: str) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(token.split(".")[1])))


@pytest.fixture
def ops() -> Iterator[Ops]:
    """A fresh local stack per test (its own moto state), retrying failed messages at once."""
    stack = LocalStack(StackOptions(seed=False, failure_visibility_timeout=0, poll_wait_seconds=1))
    stack.start()
    try:
        resources = stack.resources
        sqs, sns = stack.client("sqs"), stack.client("sns")
        tap_url = sqs.create_queue(QueueName="ops-test-events-tap")["QueueUrl"]
        tap_arn = sqs.get_queue_attributes(QueueUrl=tap_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=resources.events_topic_arn, Protocol="sqs", Endpoint=tap_arn)
        token = sign_in(stack, resources.demo_username, resources.demo_password)["IdToken"]
        names = Names.for_environment("local", resources.account_id)
        # The scripts' naming rule and the provisioner's must agree, or --env local would address nothing.
        assert (names.table, names.ingest_queue, names.ingest_dlq) == (
            resources.table_name,
            resources.queue_url.rsplit("/", 1)[-1],
            resources.dlq_url.rsplit("/", 1)[-1],
        )
        assert (names.originals_bucket, names.derivatives_bucket) == (
            resources.originals_bucket,
            resources.derivatives_bucket,
        )
        yield Ops(stack=stack, names=names, token=token, owner=_claims(token)["sub"], tap_url=tap_url)
    finally:
        stack.stop()


# ---------------------------------------------------------------- 1. poison → DLQ → fix → redrive


def test_poisoned_upload_is_redriven_after_the_fix_and_ends_ready_once(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = ops.stack.resources
    s3 = ops.client("s3")
    started = time.monotonic()

    # Given the derivatives bucket is gone (deleted by mistake: every photo now fails at its first derivative write,
    # after analysis — a transient failure from the worker's point of view, retried until the DLQ takes it)
    s3.delete_bucket(Bucket=resources.derivatives_bucket)

    # When a photo is uploaded the way the browser does
    photo_id = ops.upload("portrait.jpg", portrait())

    # Then after maxReceiveCount receives its S3 event is parked in the ingest DLQ …
    wait_until(lambda: ops.depth(resources.dlq_url) == 1, timeout=SETTLE_SECONDS, interval=0.2)
    ops.wait_for_quiet_queues()
    parked_at = time.monotonic()
    parked = redrive.peek(ops.client("sqs"), resources.dlq_url)
    assert parked == [f"s3://{resources.originals_bucket}/uploads/{ops.owner}/{photo_id}"]

    # … the last receive marked the photo FAILED with a reason its owner reads (and the error for operators), and
    # nothing was half-written: no terms, no facets, no notification, no claim held (so a redriven message is taken
    # at once), every receive counted
    item = ops.item(photo_id)
    assert (item["status"], item["reason_code"]) == ("FAILED", "processing_error")  # a fault on our side
    assert "kept safe" in item["reason"] and "NoSuchBucket" in item["last_error"]["detail"]
    assert item.get("claim_token") is None and item.get("lease_until") == 0
    assert item["attempts"] == int(resources.ingest["max_receive_count"])
    assert not item.get("derivatives") and not item.get("indexed_terms") and not item.get("notified_at")
    assert ops.terms(photo_id) == {}
    assert ops.facets() == {}
    assert ops.notifications() == []

    # When the operator fixes the cause (re-applies the infrastructure: the provisioner is terraform's stand-in) …
    provision(ops.stack.spec, endpoint_url=resources.endpoint_url, web_origins=[ops.stack.url])
    assert ops.derivative_versions() == {}  # a new, empty bucket: no derivative survived the failures
    # … and runs `python -m scripts.redrive --env local` against the stack
    capsys.readouterr()
    assert redrive.main(["--env", "local", "--no-progress"]) == 0
    out = capsys.readouterr()
    assert "receive-send-delete: moved 1, failed 0, status COMPLETED" in out.out, out
    redriven_at = time.monotonic()

    # Then the photo ends READY, its failure cleared, announced once
    item = ops.wait_for_status(photo_id, "READY")
    assert not {"reason_code", "reason", "last_error"} & set(item)
    ops.wait_for_quiet_queues()
    ready_at = time.monotonic()
    assert ops.depth(resources.dlq_url) == 0

    # … nothing duplicated: one photo item, one term item per indexed term, facets counted once, one version of each
    # derivative, one content-hash owner (this photo), one notification
    assert [i["sk"]["S"] for i in ops.photo_items()] == [f"PHOTO#{photo_id}"]
    assert item["attempts"] == int(resources.ingest["max_receive_count"]) + 1
    terms = ops.terms(photo_id)
    assert terms and sorted(terms) == sorted(item["indexed_terms"])
    assert ops.facets() == dict.fromkeys(item["indexed_labels"], 1) and ops.facets()
    # thumb, preview and the crop of the portrait's one face: one version each
    folder = f"media/{item['media_id']}/"
    versions = ops.derivative_versions(item)
    assert set(versions.values()) == {1} and {f"{folder}thumb.webp", f"{folder}preview.webp"} < set(versions), versions
    assert len([key for key in versions if key.startswith(f"{folder}face-")]) == 1, versions
    record = ops.photo(photo_id)
    assert all(d["exists"] for d in record["derivatives"].values()) and len(record["derivatives"]) == 2
    assert record["content_hash"]["photo_id"] == photo_id
    assert [(n["photo_id"], n["status"]) for n in ops.notifications()] == [(photo_id, "READY")]
    assert not item.get("provenance", {}).get("history")  # the failed attempts wrote no run

    # And a second redrive finds nothing to move
    assert redrive.main(["--env", "local", "--no-progress"]) == 0
    assert "holds 0 message(s)" in capsys.readouterr().err
    print(
        f"\ntimings: parked after {parked_at - started:.1f}s, redriven after {redriven_at - started:.1f}s, "
        f"READY {ready_at - redriven_at:.1f}s after the redrive"
    )


# ---------------------------------------------------------------- 2. reprocess a READY photo


def test_reprocess_runs_a_ready_photo_again_keeping_both_runs_and_the_index(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = ops.stack.resources
    started = time.monotonic()

    # Given a READY photo, announced to its owner
    photo_id = ops.upload("portrait.jpg", portrait())
    first = ops.wait_for_status(photo_id, "READY")
    ops.wait_for_quiet_queues()
    first_ready_at = time.monotonic()
    first_terms, first_facets = ops.terms(photo_id), ops.facets()
    assert first_terms and first_facets, "the portrait should be labelled (Face, Person) and indexed"
    assert [(n["photo_id"], n["status"]) for n in ops.notifications()] == [(photo_id, "READY")]
    first_run = first["provenance"]

    # When the operator reprocesses every READY photo (e.g. after a model change)
    capsys.readouterr()
    assert reprocess.main(["--env", "local", "--status", "READY", "--reason", "model upgrade", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "selected 1, marked 1, enqueued 1, skipped 0" in out, out
    run_id = out.split("run ", 1)[1].split(":", 1)[0]

    # Then the photo is READY again, its provenance naming the request and keeping the first run
    def second_run_done(item: dict[str, Any]) -> bool:
        return bool(item.get("provenance", {}).get("reprocess", {}).get("run_id") == run_id)

    second = ops.wait_for_status(photo_id, "READY", extra=second_run_done)
    ops.wait_for_quiet_queues()
    second_ready_at = time.monotonic()
    provenance = second["provenance"]
    assert provenance["reprocess"] == {
        "run_id": run_id,
        "reason": "model upgrade",
        "requested_at": provenance["reprocess"]["requested_at"],
        "previous_status": "READY",
    }
    assert provenance["history"] == [first_run]
    assert provenance["processed_at"] > first_run["processed_at"]
    assert "reprocess" not in second  # the claim took the request and removed it
    # … and search and facets are exactly as before (rewritten, not added to)
    assert ops.terms(photo_id) == first_terms
    assert ops.facets() == first_facets
    assert [i["sk"]["S"] for i in ops.photo_items()] == [f"PHOTO#{photo_id}"]
    assert ops.photo(photo_id)["content_hash"]["photo_id"] == photo_id  # not mistaken for its own duplicate
    # The reprocess event names the original as the upload's event did, so the photo's idempotency key is kept …
    assert second["source_fingerprint"] == first["source_fingerprint"]
    # … and a late duplicate of the upload's own S3 event (delivery is at-least-once) is still recognised and skipped
    ops.client("sqs").send_message(QueueUrl=resources.queue_url, MessageBody=upload_event(ops, photo_id))
    ops.wait_for_quiet_queues()
    after_duplicate = ops.item(photo_id)
    assert (after_duplicate["attempts"], after_duplicate["provenance"]) == (second["attempts"], provenance)

    # When the operator reprocesses that user's photos once more (selection by user, not by status)
    assert reprocess.main(["--env", "local", "--user", ops.owner, "--reason", "prompt change", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "selected 1, marked 1, enqueued 1, skipped 0" in out, out
    run_id = out.split("run ", 1)[1].split(":", 1)[0]
    third = ops.wait_for_status(photo_id, "READY", extra=second_run_done)
    ops.wait_for_quiet_queues()
    third_ready_at = time.monotonic()

    # Then the provenance of all three runs is kept, oldest first, and still nothing is doubled
    assert third["provenance"]["reprocess"]["reason"] == "prompt change"
    assert third["provenance"]["history"] == [first_run, {k: v for k, v in provenance.items() if k != "history"}]
    assert ops.terms(photo_id) == first_terms
    assert ops.facets() == first_facets
    assert [i["sk"]["S"] for i in ops.photo_items()] == [f"PHOTO#{photo_id}"]
    # Each run rendered its two derivatives into a folder of its own (new URLs, never stale bytes under an old one)
    # and deleted the run's before it, every version: only the last run's are stored
    assert len({first["media_id"], second["media_id"], third["media_id"]}) == 3
    # thumb, preview and the crop of the portrait's one face: one version each
    folder = f"media/{third['media_id']}/"
    versions = ops.derivative_versions(third)
    assert set(versions.values()) == {1} and {f"{folder}thumb.webp", f"{folder}preview.webp"} < set(versions), versions
    assert len([key for key in versions if key.startswith(f"{folder}face-")]) == 1, versions
    assert ops.derivative_versions(first) == {} and ops.derivative_versions(second) == {}
    # Reprocessing is silent: the owner was told once, when the photo first became READY
    assert ops.notifications() == []
    assert ops.depth(resources.dlq_url) == 0
    print(
        f"\ntimings: first READY after {first_ready_at - started:.1f}s, reprocessed in "
        f"{second_ready_at - first_ready_at:.1f}s and {third_ready_at - second_ready_at:.1f}s"
    )
