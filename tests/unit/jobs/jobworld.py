"""A jobs world on port fakes: photos and their originals, the job store and queue, exports, the API's ``Jobs`` and
the jobs function's ``RunJobStep`` with a download kind — and a driver that plays the queue and Lambda."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

from photovault import keys
from photovault.jobs.download import DownloadConfig, DownloadOriginals
from photovault.jobs.model import Job
from photovault.jobs.runner import RunJobStep, StepReport
from photovault.jobs.service import Jobs, JobsConfig
from photovault.model import Photo
from tests.support.fake_jobs import FakeExports, FakeJobQueue, FakeJobRepository, FakeOriginalStream
from tests.support.fakes import Clock, InMemoryPhotoRepository, make_photo


@dataclass
class Monotonic:
    """A Lambda's monotonic clock; every original read moves it on by ``per_read`` seconds."""

    now: float = 1000.0
    per_read: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class JobWorld:
    photos: InMemoryPhotoRepository = field(default_factory=InMemoryPhotoRepository)
    originals: FakeOriginalStream = field(default_factory=FakeOriginalStream)
    exports: FakeExports = field(default_factory=FakeExports)
    repo: FakeJobRepository = field(default_factory=FakeJobRepository)
    queue: FakeJobQueue = field(default_factory=FakeJobQueue)
    clock: Clock = field(default_factory=Clock)
    monotonic: Monotonic = field(default_factory=Monotonic)
    config: DownloadConfig = DownloadConfig(max_part_photos=25, chunk_bytes=4096)
    sha256: dict[str, str] = field(default_factory=dict)  # photo id -> SHA-256 of its original

    def __post_init__(self) -> None:
        self.download = DownloadOriginals(
            photos=self.photos,
            originals=self.originals,
            exports=self.exports,
            config=self.config,
            monotonic=self.monotonic,
        )
        self.runner = RunJobStep(jobs=self.repo, queue=self.queue, kinds={"download": self.download}, clock=self.clock)
        self.jobs = Jobs(
            repo=self.repo,
            queue=self.queue,
            links=self.exports,
            kinds={"download": DownloadOriginals},
            config=JobsConfig(),
            clock=self.clock,
        )
        original_chunks = self.originals.chunks

        def ticking(key: str, *, chunk_size: int) -> Any:
            self.monotonic.now += self.monotonic.per_read
            return original_chunks(key, chunk_size=chunk_size)

        self.originals.chunks = ticking  # type: ignore[method-assign]

    def add(self, owner: str, count: int, *, size: int = 3000, **kwargs: Any) -> list[Photo]:
        added = []
        for index in range(count):
            data = os.urandom(size + index)
            photo = make_photo(
                owner,
                filename=kwargs.get("filename", f"IMG_{index:04d}.JPG"),
                **{k: v for k, v in kwargs.items() if k != "filename"},
            )
            assert photo.facts is not None
            photo = dataclasses.replace(
                photo,
                facts=dataclasses.replace(photo.facts, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()),
            )
            self.photos.add(photo)
            self.originals.objects[keys.originals_key(owner, photo.photo_id)] = data
            self.sha256[photo.photo_id] = hashlib.sha256(data).hexdigest()
            added.append(photo)
        return added

    def step(self, *, budget: float = 240.0) -> StepReport:
        """One delivery of the next queued message (the queue deletes it only if the step returns)."""
        owner, job_id = self.queue.messages[0]
        report = self.runner(owner, job_id, deadline=self.monotonic.now + budget, lease_seconds=330)
        self.queue.messages.pop(0)
        return report

    def run(self, *, budget: float = 240.0, max_steps: int = 100) -> list[StepReport]:
        reports = []
        while self.queue.messages and len(reports) < max_steps:
            reports.append(self.step(budget=budget))
        return reports

    def job(self, owner: str, job_id: str) -> Job:
        job = self.repo.get(owner, job_id)
        assert job is not None
        return job

    def parts(self, job: Job) -> list[zipfile.ZipFile]:
        return [zipfile.ZipFile(io.BytesIO(self.exports.objects[output.key])) for output in job.outputs]


def manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    return dict(json.loads(archive.read("manifest.json")))
