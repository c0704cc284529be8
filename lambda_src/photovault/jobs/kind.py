"""What a kind of job is: how its request is checked (in the API) and how one bounded step of it runs (in the jobs
function). Issue 17's ``export`` and ``delete_account`` are new kinds; the runner and the API stay as they are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from photovault.jobs.model import Job, JobOutput, Progress


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked request: the input to store with the job (JSON-compatible) and how many items it covers."""

    job_input: Mapping[str, Any]
    total: int


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step achieved. ``checkpoint`` replaces the job's; ``outputs`` are all the job's outputs so far."""

    checkpoint: Mapping[str, Any]
    progress: Progress
    outputs: tuple[JobOutput, ...] = ()
    done: bool = False
    # The step deleted the job's own items (account deletion, whose last act is to forget itself): nothing to save.
    forgotten: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)  # for the step's log line and metrics


class JobKind(Protocol):
    name: ClassVar[str]

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        """Check and normalise the request (``InvalidInput`` when it cannot be run); no I/O."""

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        """Do the next bounded piece of work from ``job.checkpoint``, finishing before ``deadline`` (a
        ``time.monotonic()`` value). Must be safe to repeat: a step whose result was not saved runs again from the
        same checkpoint. Raises ``JobFailed`` when the job can never succeed; anything else is retried."""
