"""Operator scripts on moto: redrive moves every parked message back exactly once, reprocess marks photos so the
worker's claim takes them again and enqueues the events S3 would send, inspect shows the whole record."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photovault import keys
from photovault.adapters.dynamodb.codec import photo_item, serialize
from photovault.adapters.dynamodb.jobs import DynamoJobRepository
from photovault.adapters.dynamodb.people import DynamoPeopleRepository
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.ids import new_photo_id
from photovault.jobs.model import Job, JobError, JobState, job_message
from photovault.jobs.runner import GIVE_UP
from photovault.model import BoundingBox, Photo, PhotoStatus, PipelineError
from photovault.people.model import Person, PersonFace
from photovault.pipeline.events import parse_body
from photovault.ports import ClaimState
from scripts import recount_faces, redrive, reprocess, resume_job
from scripts.inspect_photo import inspect_photo, render
from scripts.ops_common import RESOURCES_PATH, Names
from tests.support.events import s3_notification

REGION = "eu-west-1"
ACCOUNT = "123456789012"
OWNER = "3f1c7d2a-0b6e-4c55-9a61-0d1f2e3a4b5c"
DAY_MS = 86_400_000
JAN_1_2026_MS = 1_767_225_600_000


@dataclass
class Stack:
    names: Names
    dynamodb: Any
    s3: Any
    sqs: Any
    queue_url: str
    dlq_url: str


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        names = Names.for_environment("local", ACCOUNT)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, names.table)
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (names.originals_bucket, names.derivatives_bucket):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=names.originals_bucket, VersioningConfiguration={"Status": "Enabled"})
        sqs = boto3.client("sqs", region_name=REGION)
        dlq_url = sqs.create_queue(QueueName=names.ingest_dlq)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(
            QueueName=names.ingest_queue,
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})},
        )["QueueUrl"]
        yield Stack(names, dynamodb, s3, sqs, queue_url, dlq_url)


def create_table(dynamodb: Any, name: str) -> None:
    """The single table as resources.json describes it."""
    spec = json.loads(RESOURCES_PATH.read_text(encoding="utf-8"))["table"]
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t in spec["attributes"].items()],
        KeySchema=[
            {"AttributeName": spec["hash_key"], "KeyType": "HASH"},
            {"AttributeName": spec["range_key"], "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index["name"],
                "KeySchema": [
                    {"AttributeName": index["hash_key"], "KeyType": "HASH"},
                    {"AttributeName": index["range_key"], "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": index["projection_type"]},
            }
            for index in spec["global_secondary_indexes"]
        ],
    )


def drain(sqs: Any, url: str) -> list[str]:
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def put_photo(stack: Stack, status: PhotoStatus, *, created_ms: int, updated_at: str, upload: bool = True) -> Photo:
    photo_id = new_photo_id(created_ms)
    key = f"uploads/{OWNER}/{photo_id}"
    fingerprint = None
    if upload:
        version = stack.s3.put_object(Bucket=stack.names.originals_bucket, Key=key, Body=b"\xff\xd8 jpeg bytes")
        fingerprint = f"s3://{stack.names.originals_bucket}/{key}#{version['VersionId']}"
    photo = Photo(
        owner=OWNER,
        photo_id=photo_id,
        status=status,
        created_at=updated_at,
        updated_at=updated_at,
        provenance={"pipeline_version": "1", "processed_at": updated_at, "caption_model_id": "model-a"},
        source_fingerprint=fingerprint,
        derivatives={"thumb": {"key": f"media/{OWNER}/{photo_id}/thumb.webp", "width": 256, "height": 256}},
    )
    stack.dynamodb.put_item(TableName=stack.names.table, Item=serialize(photo_item(photo)))
    return photo


# ---------------------------------------------------------------- recount faces


def test_recount_faces_sets_each_drifted_count_to_the_persons_active_faces(
    stack: Stack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts left off by a worker that died between its face writes and its count ADD: one person shows 0 (hidden
    from the People page) while it has three faces, another 5 for two faces of which one is in the trash. The
    recount sets both to the active faces, leaves the right one alone, and a second run finds nothing to fix."""
    names = Names.for_environment("dev", ACCOUNT)  # --env dev: the script's own names, on moto
    create_table(stack.dynamodb, names.table)
    photo = dataclasses.replace(
        put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T00:00:00Z"),
        media_id="CpSdfZ62HaWoRlZ20JNaPg",
    )
    stack.dynamodb.put_item(TableName=names.table, Item=serialize(photo_item(photo)))
    people = DynamoPeopleRepository(stack.dynamodb, names.table)

    def faces(person_id: str, count: int, *, inactive: int = 0) -> list[PersonFace]:
        return [
            PersonFace(
                OWNER,
                f"{person_id}-face-{n}",
                photo.photo_id,
                person_id,
                BoundingBox(0.1, 0.1, 0.1, 0.1),
                99.0,
                keys.face_crop_key(photo, f"{person_id}-face-{n}"),
                keys.taken_sort(photo),
                active=n >= inactive,
            )
            for n in range(count)
        ]

    hidden, inflated, right = "p" * 32, "q" * 32, "r" * 32
    people.add(
        faces(hidden, 3) + faces(inflated, 3, inactive=1) + faces(right, 1),
        [Person(OWNER, p) for p in (hidden, inflated, right)],
    )
    for person_id, wrong in ((hidden, 0), (inflated, 5)):
        stack.dynamodb.update_item(
            TableName=names.table,
            Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.person_sk(person_id)}),
            UpdateExpression="SET face_count = :wrong",
            ExpressionAttributeValues=serialize({":wrong": wrong}),
        )

    assert [p.person_id for p in people.people(OWNER, limit=10, start=None).people] == [inflated, right]  # hidden

    assert recount_faces.main(["--env", "dev", "--dry-run"]) == 0
    assert "would fix 2" in capsys.readouterr().out
    assert people.person(OWNER, hidden).face_count == 0  # type: ignore[union-attr]

    assert recount_faces.main(["--env", "dev"]) == 0
    out = capsys.readouterr().out
    assert "people 3, fixed 2" in out and f"{hidden}: 0 -> 3" in out and f"{inflated}: 5 -> 2" in out
    counts = {p: people.person(OWNER, p).face_count for p in (hidden, inflated, right)}  # type: ignore[union-attr]
    assert counts == {hidden: 3, inflated: 2, right: 1}
    assert [p.person_id for p in people.people(OWNER, limit=10, start=None).people] == [hidden, inflated, right]

    assert recount_faces.main(["--env", "dev", "--owner", OWNER]) == 0
    assert "fixed 0" in capsys.readouterr().out

    # A count that changed between its read and the write (a worker adding faces) is left for the next run
    monkeypatch.setattr(recount_faces, "person_counts", lambda *_: [(right, 7)])
    raced = recount_faces.recount(stack.dynamodb, names.table, [OWNER])
    assert (raced.fixed, raced.changed_meanwhile) == ([], [f"{OWNER}/{right}: 7 -> 1"])
    assert people.person(OWNER, right).face_count == 1  # type: ignore[union-attr]


# ---------------------------------------------------------------- redrive


def test_redrive_moves_every_parked_message_back_once(stack: Stack) -> None:
    """Given 23 poisoned uploads in the DLQ, when redriven, each is on the ingest queue once and the DLQ is empty."""
    bodies = {
        s3_notification(stack.names.originals_bucket, f"uploads/{OWNER}/p{i}", version_id=f"v{i}") for i in range(23)
    }
    for body in bodies:
        stack.sqs.send_message(QueueUrl=stack.dlq_url, MessageBody=body)

    result = redrive.redrive(stack.sqs, stack.dlq_url, stack.queue_url, show_progress=False)

    assert result.method == "receive-send-delete"  # moto has no message move tasks, like the local stack
    assert (result.moved, result.failed, result.status) == (23, 0, "COMPLETED")
    moved = drain(stack.sqs, stack.queue_url)
    assert sorted(moved) == sorted(bodies)
    assert redrive.depth(stack.sqs, stack.dlq_url) == 0


def test_redrive_of_the_intake_queue_moves_parked_notifications_back_to_the_forwarder(stack: Stack) -> None:
    """Given S3 notifications the forwarder could not pass on, parked in the intake DLQ, ``--queue intake`` moves them
    back to the intake queue (not to the ingest queue: they still need their message group)."""
    names = Names.for_environment("dev", ACCOUNT)  # --env dev: the script's own names, on moto
    intake = stack.sqs.create_queue(QueueName=names.intake_queue)["QueueUrl"]
    intake_dlq = stack.sqs.create_queue(QueueName=names.intake_dlq)["QueueUrl"]
    body = s3_notification(stack.names.originals_bucket, f"uploads/{OWNER}/p1", version_id="v1")
    stack.sqs.send_message(QueueUrl=intake_dlq, MessageBody=body)

    assert redrive.main(["--env", "dev", "--queue", "intake", "--no-progress"]) == 0

    assert drain(stack.sqs, intake) == [body]
    assert drain(stack.sqs, intake_dlq) == [] and drain(stack.sqs, stack.queue_url) == []


def job(job_id: str, kind: str = "delete_account", **changes: Any) -> Job:
    base = Job(
        owner=OWNER,
        job_id=job_id,
        kind=kind,
        state=JobState.RUNNING,
        created_at="2026-12-01T10:00:00Z",
        updated_at="2026-12-01T10:05:00Z",
        expires_at=1_900_000_000,
        checkpoint={"at": 3, "resume": "USER#x/PHOTO#y", "removed": {"originals": 120}},
        steps=4,
    )
    return dataclasses.replace(base, **changes)


def jobs_world(stack: Stack) -> tuple[Names, DynamoJobRepository, str, str]:
    """The dev environment's table and jobs queues on moto (the scripts' own names for ``--env dev``)."""
    names = Names.for_environment("dev", ACCOUNT)
    create_table(stack.dynamodb, names.table)
    queue = stack.sqs.create_queue(QueueName=names.jobs_queue)["QueueUrl"]
    dlq = stack.sqs.create_queue(QueueName=names.jobs_dlq)["QueueUrl"]
    return names, DynamoJobRepository(stack.dynamodb, names.table), queue, dlq


def can_claim(repo: DynamoJobRepository, job_id: str) -> bool:
    return repo.claim(OWNER, job_id, token="t", lease_until=2_000_000_000, now_epoch=1_800_000_000, now="n") is not None


def test_redrive_of_the_jobs_queue_moves_steps_that_crashed_back_and_their_jobs_go_on(stack: Stack) -> None:
    """A step that timed out on every delivery parks its message; the job is still RUNNING (its lease ran out), so the
    message moved back by ``--queue jobs`` claims it and goes on from the checkpoint. So does the digest's timer."""
    _, repo, queue, dlq = jobs_world(stack)
    repo.create(job("job-crashed"), b"{}")
    bodies = [job_message(OWNER, "job-crashed"), json.dumps({"digest": OWNER})]
    for body in bodies:
        stack.sqs.send_message(QueueUrl=dlq, MessageBody=body)

    assert redrive.main(["--env", "dev", "--queue", "jobs", "--no-progress"]) == 0

    assert sorted(drain(stack.sqs, queue)) == sorted(bodies) and drain(stack.sqs, dlq) == []
    assert can_claim(repo, "job-crashed")


def test_resume_job_takes_up_a_deletion_that_gave_up_and_leaves_finished_jobs_alone(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """An account deletion whose step raised on every delivery ended FAILED with nothing parked, and its owner can no
    longer sign in to start it again: ``resume_job`` puts it back to RUNNING from its checkpoint and queues it. A
    RUNNING job gets one more message; a job failed for a reason of its own, a finished one and a missing one are
    refused (exit 1) and nothing is queued for them."""
    _, repo, queue, _ = jobs_world(stack)
    gave_up = job("job-gave-up")
    repo.create(gave_up, b"{}")
    assert repo.fail(OWNER, gave_up.job_id, GIVE_UP, now="2026-12-01T10:30:00Z")
    repo.create(job("job-stuck"), b"{}")
    own_reason = JobError("empty", "Nothing to download.")
    repo.create(job("job-empty", "download", state=JobState.FAILED, error=own_reason), b"{}")
    repo.create(job("job-done", "export", state=JobState.DONE), b"{}")
    before = repo.get(OWNER, gave_up.job_id)

    def run(job_id: str, *extra: str) -> int:
        return resume_job.main(["--env", "dev", "--owner", OWNER, "--job", job_id, *extra])

    # A dry run says what it would do and changes nothing
    assert run(gave_up.job_id, "--dry-run") == 0
    assert "would resume delete_account job" in capsys.readouterr().out
    assert repo.get(OWNER, gave_up.job_id) == before and drain(stack.sqs, queue) == []

    assert run(gave_up.job_id) == 0
    assert "resumed delete_account job job-gave-up" in capsys.readouterr().out
    resumed = repo.get(OWNER, gave_up.job_id)
    assert resumed is not None and (resumed.state, resumed.error) == (JobState.RUNNING, None)
    assert (resumed.checkpoint, resumed.steps) == (gave_up.checkpoint, gave_up.steps)
    assert drain(stack.sqs, queue) == [job_message(OWNER, gave_up.job_id)]
    assert can_claim(repo, gave_up.job_id)

    assert run("job-stuck") == 0
    assert drain(stack.sqs, queue) == [job_message(OWNER, "job-stuck")]

    for job_id, why in (("job-empty", "failed (empty: "), ("job-done", "is done"), ("job-none", "no job job-none")):
        assert run(job_id) == 1
        assert why in capsys.readouterr().err
    assert drain(stack.sqs, queue) == []
    assert not can_claim(repo, "job-empty") and not can_claim(repo, "job-done")


def test_redrive_leaves_a_message_the_queue_refused_in_the_dlq(stack: Stack) -> None:
    for i in range(3):
        stack.sqs.send_message(QueueUrl=stack.dlq_url, MessageBody=f"message {i}")

    class RefusesOne:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
            kept, refused = Entries[1:], Entries[:1]
            response = self.inner.send_message_batch(QueueUrl=QueueUrl, Entries=kept) if kept else {}
            response["Failed"] = [{"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in refused]
            return response

    result = redrive.receive_send_delete(RefusesOne(stack.sqs), stack.dlq_url, stack.queue_url, show_progress=False)

    assert result.status == "PARTIAL" and result.failed == 1
    assert len(drain(stack.sqs, stack.queue_url)) == result.moved
    assert redrive.depth(stack.sqs, stack.dlq_url) == 3 - result.moved  # the refused one is still parked


def test_redrive_uses_a_move_task_where_sqs_has_them() -> None:
    """Given SQS with message move tasks (AWS), the task is started and watched until it completes."""

    class MoveTaskSqs:
        def __init__(self) -> None:
            self.polls = [
                {"Status": "RUNNING", "ApproximateNumberOfMessagesMoved": 4, "ApproximateNumberOfMessagesToMove": 9},
                {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 9, "ApproximateNumberOfMessagesToMove": 9},
            ]
            self.started: dict[str, Any] = {}

        def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:  # noqa: N803
            return {"Attributes": {"QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QueueUrl.rsplit('/', 1)[-1]}"}}

        def start_message_move_task(self, **request: Any) -> dict[str, str]:
            self.started = request
            return {"TaskHandle": "handle"}

        def list_message_move_tasks(self, **_: Any) -> dict[str, Any]:
            return {"Results": [self.polls.pop(0)]}

    sqs, sleeps = MoveTaskSqs(), []
    result = redrive.redrive(
        sqs, "https://q/dlq", "https://q/ingest", rate=50, sleep=sleeps.append, show_progress=False
    )

    assert (result.method, result.moved, result.status) == ("move-task", 9, "COMPLETED")
    assert sqs.started == {
        "SourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq",
        "DestinationArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ingest",
        "MaxNumberOfMessagesPerSecond": 50,
    }
    assert sleeps == [5.0]


def test_peek_shows_what_is_parked_without_taking_it(stack: Stack) -> None:
    stack.sqs.send_message(
        QueueUrl=stack.dlq_url, MessageBody=s3_notification("b", f"uploads/{OWNER}/x", version_id="v1")
    )
    assert redrive.peek(stack.sqs, stack.dlq_url) == [f"s3://b/uploads/{OWNER}/x"]
    assert len(drain(stack.sqs, stack.dlq_url)) == 1


# ---------------------------------------------------------------- reprocess


def test_select_by_status_and_update_date_uses_the_status_index(stack: Stack) -> None:
    old = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00+00:00")
    new = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-02-10T10:00:00+00:00")
    put_photo(stack, PhotoStatus.REJECTED, created_ms=JAN_1_2026_MS, updated_at="2026-02-10T11:00:00+00:00")

    ready = {p.photo_id for p in reprocess.select_by_status(stack.dynamodb, stack.names.table, ["READY"])}
    recent = {
        p.photo_id for p in reprocess.select_by_status(stack.dynamodb, stack.names.table, ["READY"], since="2026-02-01")
    }
    january = {
        p.photo_id for p in reprocess.select_by_status(stack.dynamodb, stack.names.table, ["READY"], until="2026-01-31")
    }

    assert ready == {old.photo_id, new.photo_id}
    assert recent == {new.photo_id}
    assert january == {old.photo_id}


def test_select_by_user_and_upload_date_is_a_key_range(stack: Stack) -> None:
    photos = [
        put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS + day * DAY_MS, updated_at="2026-03-01T00:00:00Z")
        for day in range(5)
    ]
    selected = reprocess.select_by_user(
        stack.dynamodb, stack.names.table, OWNER, since="2026-01-02", until="2026-01-04"
    )
    assert [p.photo_id for p in selected] == [p.photo_id for p in photos[1:4]]


def run_reprocess(stack: Stack, refs: list[reprocess.PhotoRef], **options: Any) -> reprocess.ReprocessResult:
    """``reprocess.reprocess`` on this stack's table, queue and bucket, without a progress bar."""
    return reprocess.reprocess(
        refs,
        dynamodb=stack.dynamodb,
        s3=stack.s3,
        sqs=stack.sqs,
        table=stack.names.table,
        queue_url=stack.queue_url,
        originals_bucket=stack.names.originals_bucket,
        show_progress=False,
        **options,
    )


def test_reprocess_marks_and_enqueues_an_event_the_worker_claims_again(stack: Stack) -> None:
    """Given a READY photo, when reprocessed, the queued event names the same object version and the worker's
    claim — which skips a second delivery of a processed upload — takes it once more."""
    photo = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00+00:00")
    repository = DynamoPhotoRepository(stack.dynamodb, stack.names.table)
    refs = list(reprocess.select_by_status(stack.dynamodb, stack.names.table, ["READY"]))

    result = run_reprocess(
        stack,
        refs,
        reason="caption model change",
        run_id="run-1",
        now="2026-03-01T00:00:00+00:00",
    )

    assert (result.selected, result.marked, result.enqueued, result.skipped) == (1, 1, 1, [])
    (body,) = drain(stack.sqs, stack.queue_url)
    (source,) = parse_body(body).sources
    assert source.fingerprint == photo.source_fingerprint  # the exact upload, as S3 announced it
    item = stack.dynamodb.get_item(
        TableName=stack.names.table, Key={"pk": {"S": f"USER#{OWNER}"}, "sk": {"S": f"PHOTO#{photo.photo_id}"}}
    )["Item"]
    assert item["reprocess"]["M"]["reason"]["S"] == "caption model change"

    claim = repository.claim(source, now="2026-03-01T00:00:01+00:00", lease_until=2_000_000_000, now_epoch=1)
    assert claim.state is ClaimState.CLAIMED
    assert claim.photo is not None and claim.photo.provenance["caption_model_id"] == "model-a"  # kept for history
    failure = PipelineError("throttled", "Throttled: DetectLabels", "2026-03-01T00:00:02+00:00")
    repository.release(source, claim.token, now="2026-03-01T00:00:02+00:00", error=failure)
    again = repository.claim(source, now="2026-03-01T00:00:03+00:00", lease_until=2_000_000_000, now_epoch=1)
    assert again.state is ClaimState.CLAIMED  # released: the lease is free; the mark was consumed by the claim


@pytest.mark.parametrize("steps", [["embed"], ["place"], ["embed", "place"]])
def test_reprocess_steps_reach_the_worker_as_a_request_for_those_steps_only(stack: Stack, steps: list[str]) -> None:
    """Given a READY photo, ``--steps embed`` (vectors) or ``--steps place`` (places of photos processed before they
    existed) marks it so the worker's claim hands over a request for those steps alone."""
    photo = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00+00:00")
    refs = list(reprocess.select_by_status(stack.dynamodb, stack.names.table, ["READY"]))
    result = run_reprocess(
        stack,
        refs,
        reason="backfill",
        steps=steps,
        run_id="run-helper",
        now="2026-03-01T00:00:00+00:00",
    )
    assert (result.marked, result.enqueued) == (1, 1)
    (body,) = drain(stack.sqs, stack.queue_url)
    (source,) = parse_body(body).sources
    claim = DynamoPhotoRepository(stack.dynamodb, stack.names.table).claim(
        source, now="2026-03-01T00:00:01+00:00", lease_until=2_000_000_000, now_epoch=1
    )
    assert claim.reprocess is not None and claim.reprocess["steps"] == steps
    assert claim.photo is not None and claim.photo.photo_id == photo.photo_id


def test_without_the_mark_a_redelivered_event_is_skipped(stack: Stack) -> None:
    photo = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00+00:00")
    bucket, key, version = reprocess.parse_fingerprint(photo.source_fingerprint or "") or ("", "", "")
    (source,) = parse_body(s3_notification(bucket, key, version_id=version)).sources
    claim = DynamoPhotoRepository(stack.dynamodb, stack.names.table).claim(
        source, now="2026-03-01T00:00:00+00:00", lease_until=2_000_000_000, now_epoch=1
    )
    assert claim.state is ClaimState.DONE


def test_a_failed_photo_is_taken_again_by_its_own_event_and_reprocessed_with_all_finished_ones(stack: Stack) -> None:
    """A redrive brings back the very event that failed: the claim takes a FAILED photo with the same fingerprint
    (a READY one it skips), and ``--all`` selects FAILED photos like every other finished one."""
    failed = put_photo(stack, PhotoStatus.FAILED, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    selected = {
        p.status for p in reprocess.select_by_status(stack.dynamodb, stack.names.table, reprocess.TERMINAL_STATUSES)
    }
    assert selected == {"FAILED", "READY"}
    bucket, key, version = reprocess.parse_fingerprint(failed.source_fingerprint or "") or ("", "", "")
    (source,) = parse_body(s3_notification(bucket, key, version_id=version)).sources
    claim = DynamoPhotoRepository(stack.dynamodb, stack.names.table).claim(
        source, now="2026-03-01T00:00:00+00:00", lease_until=2_000_000_000, now_epoch=1
    )
    assert claim.state is ClaimState.CLAIMED and claim.photo is not None and claim.photo.status is PhotoStatus.FAILED


def test_reprocess_skips_photos_mid_processing_and_photos_without_an_original(stack: Stack) -> None:
    busy = put_photo(stack, PhotoStatus.PROCESSING, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    gone = put_photo(
        stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z", upload=False
    )
    refs = [
        reprocess.PhotoRef(OWNER, busy.photo_id, "PROCESSING", source_fingerprint=busy.source_fingerprint or ""),
        reprocess.PhotoRef(OWNER, gone.photo_id, "READY"),
    ]

    result = run_reprocess(
        stack,
        refs,
        reason="test",
    )

    assert (result.marked, result.enqueued) == (0, 0)
    assert {photo_id for photo_id, _ in result.skipped} == {busy.photo_id, gone.photo_id}
    assert drain(stack.sqs, stack.queue_url) == []


def test_dry_run_changes_nothing(stack: Stack) -> None:
    put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    refs = list(reprocess.select_by_status(stack.dynamodb, stack.names.table, reprocess.TERMINAL_STATUSES))
    result = run_reprocess(
        stack,
        refs,
        reason="test",
        dry_run=True,
    )
    assert (result.selected, result.marked, result.enqueued) == (1, 0, 0)
    assert drain(stack.sqs, stack.queue_url) == []


def test_uuid7_bounds_enclose_every_id_of_that_millisecond() -> None:
    ids = [new_photo_id(JAN_1_2026_MS) for _ in range(200)]
    lo = reprocess.uuid7_bound(JAN_1_2026_MS, upper=False)
    hi = reprocess.uuid7_bound(JAN_1_2026_MS, upper=True)
    assert all(lo <= i <= hi for i in ids)
    assert reprocess.uuid7_bound(JAN_1_2026_MS - 1, upper=True) < lo


# ---------------------------------------------------------------- inspect


def inspect(stack: Stack, photo_id: str) -> dict[str, Any]:
    return inspect_photo(
        dynamodb=stack.dynamodb,
        s3=stack.s3,
        table=stack.names.table,
        originals_bucket=stack.names.originals_bucket,
        derivatives_bucket=stack.names.derivatives_bucket,
        owner=OWNER,
        photo_id=photo_id,
    )


def test_inspect_shows_item_versions_derivatives_and_history(stack: Stack) -> None:
    photo = put_photo(stack, PhotoStatus.READY, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    stack.dynamodb.update_item(
        TableName=stack.names.table,
        Key={"pk": {"S": f"USER#{OWNER}"}, "sk": {"S": f"PHOTO#{photo.photo_id}"}},
        UpdateExpression="SET provenance.history = :h",
        ExpressionAttributeValues={":h": {"L": [{"M": {"caption_model_id": {"S": "model-0"}}}]}},
    )

    record = inspect(stack, photo.photo_id)

    assert record["item"]["status"] == "READY"
    (version,) = record["original"]["versions"]
    assert photo.source_fingerprint and photo.source_fingerprint.endswith(f"#{version['version_id']}")
    assert record["derivatives"]["thumb"]["exists"] is False  # the thumbnail was never written
    text = render(record)
    assert "model-0" in text and "model-a" in text and "MISSING" in text


def test_inspect_shows_why_a_photo_failed(stack: Stack) -> None:
    photo = put_photo(stack, PhotoStatus.PROCESSING, created_ms=JAN_1_2026_MS, updated_at="2026-01-01T10:00:00Z")
    bucket, key, version = reprocess.parse_fingerprint(photo.source_fingerprint or "") or ("", "", "")
    (source,) = parse_body(s3_notification(bucket, key, version_id=version)).sources
    error = PipelineError("throttled", "Throttled: Rekognition DetectLabels: Rate exceeded", "2026-01-01T10:05:00Z")
    assert DynamoPhotoRepository(stack.dynamodb, stack.names.table).give_up(
        source,
        reason_code="service_unavailable",
        reason="We could not finish processing this photo.",
        error=error,
        now="2026-01-01T10:05:00Z",
        now_epoch=1,
    )
    record = inspect(stack, photo.photo_id)
    text = render(record)
    assert "status      FAILED" in text and "reason_code service_unavailable" in text
    assert "last error  throttled at 2026-01-01T10:05:00Z: Throttled: Rekognition DetectLabels: Rate exceeded" in text


def test_inspect_an_unknown_photo(stack: Stack) -> None:
    record = inspect(stack, new_photo_id())
    assert record["item"] is None
    assert "no photo item" in render(record)
