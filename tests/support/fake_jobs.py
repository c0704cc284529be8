"""In-memory fakes of the jobs ports, with the adapters' semantics: job items with leases (``DynamoJobRepository``),
the jobs queue, the exports store with multipart-like parts (``S3ExportStore``) and streamed originals."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from photovault.errors import ObjectMissing, TransientDependencyError
from photovault.jobs.model import Job, JobError, JobState
from photovault.ports import StoredPart


@dataclass
class FakeJobRepository:
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    inputs: dict[tuple[str, str], bytes] = field(default_factory=dict)
    leases: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)  # token, until

    def create(self, job: Job, job_input: bytes) -> None:
        key = (job.owner, job.job_id)
        assert key not in self.jobs
        self.jobs[key] = job
        self.inputs[key] = job_input

    def get(self, owner: str, job_id: str) -> Job | None:
        return self.jobs.get((owner, job_id))

    def read_input(self, owner: str, job_id: str) -> bytes:
        return self.inputs[(owner, job_id)]

    def claim(self, owner: str, job_id: str, *, token: str, lease_until: int, now_epoch: int, now: str) -> Job | None:
        key = (owner, job_id)
        job = self.jobs.get(key)
        lease = self.leases.get(key)
        if job is None or job.state.finished or (lease is not None and lease[1] >= now_epoch):
            return None
        self.jobs[key] = dataclasses.replace(job, state=JobState.RUNNING, updated_at=now)
        self.leases[key] = (token, lease_until)
        return self.jobs[key]

    def save(self, job: Job, *, token: str) -> bool:
        key = (job.owner, job.job_id)
        lease = self.leases.get(key)
        if lease is None or lease[0] != token:
            return False
        self.jobs[key] = job
        del self.leases[key]
        return True

    def fail(self, owner: str, job_id: str, error: JobError, *, now: str) -> bool:
        key = (owner, job_id)
        job = self.jobs.get(key)
        if job is None or job.state.finished:
            return False
        self.jobs[key] = dataclasses.replace(job, state=JobState.FAILED, error=error, updated_at=now)
        self.leases.pop(key, None)
        return True

    def resume(self, owner: str, job_id: str, *, gave_up: str, now: str) -> bool:
        key = (owner, job_id)
        job = self.jobs.get(key)
        if job is None or job.state is not JobState.FAILED or job.error is None or job.error.code != gave_up:
            return False
        self.jobs[key] = dataclasses.replace(job, state=JobState.RUNNING, error=None, updated_at=now)
        self.leases.pop(key, None)
        return True


@dataclass
class FakeJobQueue:
    messages: list[tuple[str, str]] = field(default_factory=list)
    broken: bool = False

    def enqueue(self, owner: str, job_id: str) -> None:
        if self.broken:
            raise TransientDependencyError("SQS is unavailable")
        self.messages.append((owner, job_id))


@dataclass
class FakeSink:
    store: FakeExports
    key: str
    buffer: io.BytesIO = field(default_factory=io.BytesIO)
    done: bool = False

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        assert not self.done, "write after close/abort"
        return self.buffer.write(data)

    def flush(self) -> None:
        """Nothing buffered beyond the BytesIO."""

    def close(self) -> StoredPart:
        self.done = True
        self.store.open.remove(self)
        return self.store.put(self.key, self.buffer.getvalue())

    def abort(self) -> None:
        if self.store.frozen:  # the process died: nothing after the crash runs, the upload stays unfinished
            return
        if not self.done:
            self.done = True
            self.store.open.remove(self)


@dataclass
class FakeExports:
    """``exports/``: objects by key with a version per write; sinks still open are "unfinished multipart uploads"."""

    objects: dict[str, bytes] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    open: list[FakeSink] = field(default_factory=list)
    aborted: int = 0
    writes: int = 0
    frozen: bool = False  # set while simulating a killed process (no cleanup code runs)

    def put(self, key: str, data: bytes) -> StoredPart:
        self.writes += 1
        self.objects[key] = data
        self.versions[key] = f"v{self.writes}"
        return StoredPart(key, self.versions[key], len(data))

    def open_part(self, key: str, *, content_type: str) -> FakeSink:
        sink = FakeSink(self, key)
        self.open.append(sink)
        return sink

    def abort_unfinished(self, prefix: str) -> int:
        doomed = [sink for sink in self.open if sink.key.startswith(prefix)]
        for sink in doomed:
            sink.done = True
            self.open.remove(sink)
        self.aborted += len(doomed)
        return len(doomed)

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        self.put(key, data)

    def get_bytes(self, key: str) -> bytes:
        if key not in self.objects:
            raise ObjectMissing(key)
        return self.objects[key]

    def presign_get(self, *, key: str, version_id: str | None, filename: str, expires_in: int) -> str:
        return f"https://exports.example/{key}?versionId={version_id}&filename={filename}&expires_in={expires_in}"


class Crash(Exception):
    """A simulated Lambda death in the middle of a step (what a timeout or an out-of-memory kill looks like)."""


@dataclass
class FakeOriginalStream:
    """Originals by key, streamed; ``reads`` records every key asked for. ``crash_after`` reads raise ``Crash``."""

    objects: dict[str, bytes] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    crash_after: int | None = None

    def chunks(self, key: str, *, chunk_size: int) -> Iterator[bytes]:
        # A generator, like the S3 reader: nothing happens (not even the lookup) until the first chunk is asked for.
        self.reads.append(key)
        if self.crash_after is not None and len(self.reads) > self.crash_after:
            self.crash_after = None
            raise Crash(f"died reading {key}")
        if key not in self.objects:
            raise ObjectMissing(key)
        data = self.objects[key]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]
