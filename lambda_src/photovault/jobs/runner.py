"""The jobs function's use case: run one step of a job and queue the next, so a job of any size goes on in pieces
that each fit one invocation.

A message on the jobs queue only says "advance job X of owner Y". The step claims the job with a lease (a
conditional write), so duplicate deliveries never work on a job at the same time; it saves the new checkpoint while
the lease still holds, then queues the next step. A crash anywhere leaves the message to be delivered again after
the queue's visibility timeout (longer than any lease), and the job goes on from its last saved checkpoint:

- died during the work: the checkpoint is the previous one, the step is redone (kinds make that safe);
- died after saving, before queueing: the redelivered message runs the next step;
- a duplicate message while a step runs: the lease refuses it and it is dropped (the running step queues the next).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from photovault.jobs.kind import JobKind
from photovault.jobs.model import Job, JobError, JobFailed, JobState, decode_input
from photovault.model import iso_epoch as iso
from photovault.ports import JobQueue, JobRepository


class StepOutcome(StrEnum):
    ADVANCED = "advanced"  # a step ran and the next one is queued
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # missing, finished or leased by another delivery: nothing to do
    LOST = "lost"  # the lease expired under the step: its work was not recorded


@dataclass(frozen=True, slots=True)
class StepReport:
    outcome: StepOutcome
    job: Job | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    # A job that needs more steps than this is stuck, not big (a 10,000-photo download takes a few dozen).
    max_steps: int = 2_000


GIVE_UP = JobError("step_failed", "The job failed repeatedly and was stopped. Try again later.")


class RunJobStep:
    def __init__(
        self,
        *,
        jobs: JobRepository,
        queue: JobQueue,
        kinds: Mapping[str, JobKind],
        config: RunnerConfig = RunnerConfig(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._jobs = jobs
        self._queue = queue
        self._kinds = dict(kinds)
        self._config = config
        self._clock = clock

    def __call__(self, owner: str, job_id: str, *, deadline: float, lease_seconds: int) -> StepReport:
        now = self._clock()
        token = uuid.uuid4().hex
        job = self._jobs.claim(
            owner, job_id, token=token, lease_until=int(now) + lease_seconds, now_epoch=int(now), now=iso(now)
        )
        if job is None:
            return StepReport(StepOutcome.SKIPPED)
        kind = self._kinds.get(job.kind)
        try:
            if kind is None:
                raise JobFailed("unknown_kind", "This kind of job is not available.")
            if job.steps >= self._config.max_steps:
                raise JobFailed("too_many_steps", "The job made no headway and was stopped.")
            result = kind.step(job, decode_input(self._jobs.read_input(owner, job_id)), deadline=deadline)
        except JobFailed as failure:
            failed = dataclasses.replace(job, state=JobState.FAILED, error=failure.error, updated_at=iso(self._clock()))
            saved = self._jobs.save(dataclasses.replace(failed, steps=job.steps + 1), token=token)
            return StepReport(StepOutcome.FAILED if saved else StepOutcome.LOST, failed)
        advanced = dataclasses.replace(
            job,
            state=JobState.DONE if result.done else JobState.RUNNING,
            checkpoint=dict(result.checkpoint),
            progress=result.progress,
            outputs=result.outputs,
            steps=job.steps + 1,
            updated_at=iso(self._clock()),
        )
        if result.forgotten:
            return StepReport(StepOutcome.DONE, advanced, result.extra)
        if not self._jobs.save(advanced, token=token):
            return StepReport(StepOutcome.LOST, advanced, result.extra)
        if result.done:
            return StepReport(StepOutcome.DONE, advanced, result.extra)
        self._queue.enqueue(owner, job_id)
        return StepReport(StepOutcome.ADVANCED, advanced, result.extra)

    def give_up(self, owner: str, job_id: str) -> bool:
        """The job's message is on its last delivery and failed again: end the job FAILED (a person polling it sees
        why) rather than leave it RUNNING for ever while the message goes to the dead-letter queue."""
        return self._jobs.fail(owner, job_id, GIVE_UP, now=iso(self._clock()))
