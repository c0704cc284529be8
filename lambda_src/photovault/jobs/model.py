"""A job as the domain sees it: who asked for what, how far it got, what it produced, and how to go on."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"  # accepted, no step has run yet
    RUNNING = "running"  # at least one step ran; the next one is queued or running
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job has come: units done of the total (photos, objects)."""

    done: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class JobOutput:
    """One object a job produced (a zip part): offered to the owner as a short-lived link, renewed on every read."""

    name: str  # what the browser saves it as
    key: str
    version_id: str | None
    size_bytes: int
    items: int  # photos in it


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job failed, in a code for programs and a message for the owner."""

    code: str
    message: str  # for the owner


@dataclass(frozen=True, slots=True)
class Job:
    """A background job of one owner (download, export, account deletion), its state, progress and checkpoint."""

    owner: str
    job_id: str
    kind: str
    state: JobState
    created_at: str
    updated_at: str
    expires_at: int  # epoch seconds; the table's TTL attribute (the job and its files are forgotten then)
    progress: Progress = Progress()
    # The kind's own "where to go on" (JSON-compatible values only); the runner stores it as given.
    checkpoint: Mapping[str, Any] = field(default_factory=dict)
    outputs: tuple[JobOutput, ...] = ()
    error: JobError | None = None
    steps: int = 0


class JobFailed(Exception):
    """A step found that the job can never succeed (not a fault to retry): the job ends FAILED with this reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.error = JobError(code, message)


def encode_input(value: Mapping[str, Any]) -> bytes:
    """A job's input as stored: compact JSON, compressed (a 10,000-photo selection stays far below the item limit)."""
    return zlib.compress(json.dumps(value, separators=(",", ":"), sort_keys=True).encode(), 9)


def decode_input(data: bytes) -> dict[str, Any]:
    value = json.loads(zlib.decompress(data))
    if not isinstance(value, dict):
        raise ValueError("a job input is a JSON object")
    return value


def job_message(owner: str, job_id: str) -> str:
    """The jobs queue's message: which job to advance (never what to do: that is in the job item)."""
    return json.dumps({"owner": owner, "job_id": job_id}, separators=(",", ":"))


def parse_job_message(body: str) -> tuple[str, str]:
    """(owner, job_id) of a jobs-queue message; ``ValueError`` for anything else."""
    value = json.loads(body)
    owner, job_id = (value.get("owner"), value.get("job_id")) if isinstance(value, dict) else (None, None)
    if not isinstance(owner, str) or not owner or "#" in owner or "/" in owner or not isinstance(job_id, str):
        raise ValueError("not a jobs-queue message")
    return owner, job_id
