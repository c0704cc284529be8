"""The job runner on port fakes: one step per delivery under a lease, the checkpoint saved before the next step is
queued, and every way a delivery can go wrong (duplicate, crash, lost lease, last attempt) ends in a state a person
can read."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from photovault.jobs.kind import Prepared, StepResult
from photovault.jobs.model import Job, JobFailed, JobState, Progress, encode_input
from photovault.jobs.runner import RunJobStep, RunnerConfig, StepOutcome
from scripts import resume_job
from tests.support.fake_jobs import FakeJobQueue, FakeJobRepository
from tests.support.fakes import Clock

OWNER = "alice-0001"
JOB_ID = "0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d"


class Counting:
    """A kind that counts to ``total`` one step at a time (its checkpoint is the count)."""

    name: ClassVar[str] = "count"

    def __init__(self, total: int = 3, fail_with: Exception | None = None) -> None:
        self.total = total
        self.fail_with = fail_with
        self.steps = 0

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        return Prepared(job_input=dict(params), total=int(params["total"]))

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        self.steps += 1
        if self.fail_with is not None:
            raise self.fail_with
        count = int(job.checkpoint.get("count", 0)) + 1
        return StepResult(checkpoint={"count": count}, progress=Progress(count, self.total), done=count >= self.total)


def world(kind: Counting | None = None, **config: Any) -> tuple[RunJobStep, FakeJobRepository, FakeJobQueue, Clock]:
    repo, queue, clock = FakeJobRepository(), FakeJobQueue(), Clock()
    job = Job(OWNER, JOB_ID, "count", JobState.QUEUED, "2026-05-01T10:00:00.000Z", "2026-05-01T10:00:00.000Z", 2**40)
    repo.create(job, encode_input({"total": 3}))
    runner = RunJobStep(
        jobs=repo, queue=queue, kinds={"count": kind or Counting()}, config=RunnerConfig(**config), clock=clock
    )
    return runner, repo, queue, clock


def step(runner: RunJobStep) -> Any:
    return runner(OWNER, JOB_ID, deadline=1e9, lease_seconds=330)


def test_a_job_runs_one_step_per_delivery_until_done() -> None:
    runner, repo, queue, _ = world()
    outcomes = [step(runner).outcome for _ in range(3)]
    job = repo.get(OWNER, JOB_ID)
    assert outcomes == [StepOutcome.ADVANCED, StepOutcome.ADVANCED, StepOutcome.DONE]
    assert job is not None and job.state is JobState.DONE and job.steps == 3 and job.progress == Progress(3, 3)
    assert queue.messages == [(OWNER, JOB_ID)] * 2  # a next step after each step but the last
    assert not repo.leases


def test_a_duplicate_delivery_while_a_step_runs_does_nothing() -> None:
    runner, repo, queue, clock = world()
    repo.claim(OWNER, JOB_ID, token="other", lease_until=int(clock.now) + 300, now_epoch=int(clock.now), now="t")
    report = step(runner)
    assert report.outcome is StepOutcome.SKIPPED and not queue.messages


def test_a_step_whose_lease_was_taken_over_records_nothing_and_queues_nothing() -> None:
    runner, repo, queue, _ = world()
    real_save = repo.save

    def lost(job: Job, *, token: str) -> bool:
        repo.leases[(OWNER, JOB_ID)] = ("someone-else", 2**40)
        return real_save(job, token=token)

    repo.save = lost  # type: ignore[method-assign]
    report = step(runner)
    assert report.outcome is StepOutcome.LOST and not queue.messages
    assert repo.jobs[(OWNER, JOB_ID)].checkpoint == {}


def test_a_crash_after_the_checkpoint_before_the_next_message_goes_on_at_redelivery() -> None:
    runner, repo, queue, clock = world()
    queue.broken = True  # the step's work is saved, queueing the next fails: the invocation dies
    with pytest.raises(Exception, match="unavailable"):
        step(runner)
    assert repo.jobs[(OWNER, JOB_ID)].checkpoint == {"count": 1}
    queue.broken = False
    clock.now += 1800  # the same message comes back after the visibility timeout
    assert step(runner).outcome is StepOutcome.ADVANCED
    assert repo.jobs[(OWNER, JOB_ID)].checkpoint == {"count": 2}  # it went on, it did not redo


def test_a_kind_that_finds_the_job_impossible_fails_it_with_its_reason() -> None:
    runner, repo, queue, _ = world(Counting(fail_with=JobFailed("nothing_to_download", "Nothing to download.")))
    report = step(runner)
    job = repo.get(OWNER, JOB_ID)
    assert report.outcome is StepOutcome.FAILED and job is not None and job.state is JobState.FAILED
    assert job.error is not None and job.error.code == "nothing_to_download" and not queue.messages


def test_an_unexpected_error_is_retried_by_the_queue_not_recorded() -> None:
    runner, repo, queue, _ = world(Counting(fail_with=ConnectionError("S3 stalled")))
    with pytest.raises(ConnectionError):
        step(runner)
    assert repo.jobs[(OWNER, JOB_ID)].state is JobState.RUNNING and not queue.messages


def test_a_job_that_makes_no_headway_is_stopped() -> None:
    runner, repo, _, _ = world(Counting(total=10), max_steps=2)
    outcomes = [step(runner).outcome for _ in range(3)]
    job = repo.get(OWNER, JOB_ID)
    assert outcomes[-1] is StepOutcome.FAILED and job is not None and job.error is not None
    assert job.error.code == "too_many_steps"


def test_an_unknown_kind_fails_the_job() -> None:
    runner, repo, _, _ = world()
    repo.jobs[(OWNER, JOB_ID)] = dataclasses.replace(repo.jobs[(OWNER, JOB_ID)], kind="teleport")
    assert step(runner).outcome is StepOutcome.FAILED
    assert repo.jobs[(OWNER, JOB_ID)].error.code == "unknown_kind"  # type: ignore[union-attr]


def test_giving_up_on_the_last_delivery_fails_the_job_once() -> None:
    runner, repo, _, _ = world()
    assert runner.give_up(OWNER, JOB_ID)
    job = repo.get(OWNER, JOB_ID)
    assert job is not None and job.state is JobState.FAILED and job.error is not None
    assert job.error.code == "step_failed"
    assert not runner.give_up(OWNER, JOB_ID)  # already finished
    assert step(runner).outcome is StepOutcome.SKIPPED  # and no later delivery revives it


def test_a_job_that_gave_up_and_is_resumed_goes_on_from_its_checkpoint_and_one_stopped_for_no_headway_is_not() -> None:
    runner, repo, queue, _ = world()
    assert step(runner).outcome is StepOutcome.ADVANCED  # count 1
    queue.messages.clear()
    assert runner.give_up(OWNER, JOB_ID)

    assert resume_job.resume(repo, queue, OWNER, JOB_ID).outcome == "resumed"
    assert queue.messages == [(OWNER, JOB_ID)]
    outcomes = [step(runner).outcome for _ in range(2)]
    job = repo.get(OWNER, JOB_ID)
    assert outcomes == [StepOutcome.ADVANCED, StepOutcome.DONE] and job is not None and job.checkpoint == {"count": 3}
    assert resume_job.resume(repo, queue, OWNER, JOB_ID).outcome == "refused"  # done

    stuck, stuck_repo, stuck_queue, _ = world(Counting(total=10), max_steps=1)
    assert [step(stuck).outcome for _ in range(2)][-1] is StepOutcome.FAILED  # too_many_steps: would fail again
    assert resume_job.resume(stuck_repo, stuck_queue, OWNER, JOB_ID).outcome == "refused"
    assert not stuck_repo.resume(OWNER, JOB_ID, gave_up="step_failed", now="now")


class Forgetting:
    """A kind whose one step deletes its own job and input (as account deletion ends)."""

    name: ClassVar[str] = "count"

    def __init__(self, repo: FakeJobRepository) -> None:
        self.repo = repo

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        return Prepared(job_input={}, total=1)

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        del self.repo.jobs[(job.owner, job.job_id)]
        del self.repo.inputs[(job.owner, job.job_id)]
        return StepResult(checkpoint={}, progress=Progress(1, 1), done=True, forgotten=True)


def test_a_step_that_forgot_its_own_job_is_done_and_writes_nothing_back() -> None:
    _, repo, queue, clock = world()
    runner = RunJobStep(jobs=repo, queue=queue, kinds={"count": Forgetting(repo)}, clock=clock)
    report = step(runner)
    assert report.outcome is StepOutcome.DONE
    assert repo.jobs == {} and repo.inputs == {} and queue.messages == []
    assert step(runner).outcome is StepOutcome.SKIPPED  # a redelivery finds nothing to do
