"""The API's side of jobs: accept one (checked by its kind, stored, queued) and show one to its owner with fresh
short-lived links to what it produced."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from photovault import ids
from photovault.errors import InvalidInput, NotFound, PhotoVaultError
from photovault.jobs.kind import JobKind
from photovault.jobs.model import Job, JobError, JobOutput, JobState, Progress, encode_input
from photovault.model import iso_epoch as iso
from photovault.ports import ExportLinks, JobQueue, JobRepository

QUEUE_FAILED = JobError("not_queued", "The job could not be started. Try again.")


@dataclass(frozen=True, slots=True)
class JobsConfig:
    link_expiry_seconds: int = 900  # a link must be used within this; reading the job again renews it
    retention_seconds: int = 3 * 86_400  # the job and its files are kept this long (the exports lifecycle rule too)


@dataclass(frozen=True, slots=True)
class JobLink:
    output: JobOutput
    url: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class ShownJob:
    job: Job
    links: tuple[JobLink, ...]


class Jobs:
    def __init__(
        self,
        *,
        repo: JobRepository,
        queue: JobQueue,
        links: ExportLinks,
        kinds: Mapping[str, type[JobKind]],
        config: JobsConfig,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._queue = queue
        self._links = links
        self._kinds = dict(kinds)
        self._config = config
        self._clock = clock

    def submit(self, owner: str, kind: str, params: Mapping[str, Any]) -> Job:
        spec = self._kinds.get(kind)
        if spec is None:
            raise InvalidInput(f"Unknown kind of job: {kind}.", details={"field": "body.kind"})
        prepared = spec.prepare(owner, params)
        now = self._clock()
        job = Job(
            owner=owner,
            job_id=ids.new_job_id(),
            kind=kind,
            state=JobState.QUEUED,
            created_at=iso(now),
            updated_at=iso(now),
            expires_at=int(now) + self._config.retention_seconds,
            progress=Progress(done=0, total=prepared.total),
        )
        self._repo.create(job, encode_input(prepared.job_input))
        try:
            self._queue.enqueue(owner, job.job_id)
        except PhotoVaultError:
            # Never leave a job that no step will ever pick up looking as if it were waiting.
            self._repo.fail(owner, job.job_id, QUEUE_FAILED, now=iso(self._clock()))
            raise
        return job

    def get(self, owner: str, job_id: str) -> ShownJob:
        now = int(self._clock())
        job = self._repo.get(owner, job_id) if ids.is_job_id(job_id) else None
        if job is None or job.expires_at <= now:  # DynamoDB's TTL removes it some time after; it is gone now
            raise NotFound("No such job.")
        expires_at = now + self._config.link_expiry_seconds
        links = tuple(
            JobLink(
                output=output,
                url=self._links.presign_get(
                    key=output.key,
                    version_id=output.version_id,
                    filename=output.name,
                    expires_in=self._config.link_expiry_seconds,
                ),
                expires_at=expires_at,
            )
            for output in job.outputs
        )
        return ShownJob(job=job, links=links)
