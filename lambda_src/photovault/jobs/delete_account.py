"""The ``delete_account`` job: seal the account (no token of it works from then on), then run every store's eraser in
order (``account.erasure``), one store per step from its checkpoint, and at last forget the job itself.

Each step saves which eraser it reached and where that eraser goes on, so a step that dies is run again from there;
every eraser deletes what it finds, so a batch repeated is harmless. Progress counts the stores done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from photovault.account.erasure import Eraser, Scope, Stores, forget_job
from photovault.account.sessions import Sessions
from photovault.jobs.kind import Prepared, StepResult
from photovault.jobs.model import Job, JobFailed, Progress


class DeleteAccount:
    name: ClassVar[str] = "delete_account"

    def __init__(
        self,
        *,
        sessions: Sessions,
        erasers: Sequence[Eraser],
        stores: Stores,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        names = [eraser.name for eraser in erasers]
        if len(set(names)) != len(names):
            raise ValueError(f"erasers must have distinct names: {names}")
        self._sessions = sessions
        self._erasers = tuple(erasers)
        self._stores = stores
        self._monotonic = monotonic

    @property
    def eraser_names(self) -> tuple[str, ...]:
        return tuple(eraser.name for eraser in self._erasers)

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        keep = params.get("keep")
        # The total is only known to the jobs function (how many stores it erases); the first step sets it.
        return Prepared(job_input={"keep": keep if isinstance(keep, str) else None}, total=0)

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        total = len(self._erasers) + 1
        scope = Scope(job.owner, job.job_id)
        checkpoint = job.checkpoint
        if "at" not in checkpoint:
            # First of all, nothing more may be created: every token of the account stops working (the API sealed it
            # already when it accepted the request; this makes sure, whatever happened to that write).
            sealed_by = self._sessions.close(job.owner, job_id=job.job_id, keep=job_input.get("keep"))
            if sealed_by != job.job_id:
                raise JobFailed("already_deleting", "This account is already being deleted.")
            return StepResult(
                checkpoint={"at": 0, "resume": None, "removed": {}},
                progress=Progress(done=1, total=total),
                extra={"sealed": True},
            )
        at, resume = int(checkpoint["at"]), checkpoint.get("resume")
        removed: dict[str, int] = {str(k): int(v) for k, v in dict(checkpoint.get("removed", {})).items()}
        if at >= len(self._erasers):
            forget_job(self._stores, scope)
            return StepResult(
                checkpoint=checkpoint,
                progress=Progress(done=total, total=total),
                done=True,
                forgotten=True,
                extra={"removed": sum(removed.values())},
            )
        eraser = self._erasers[at]
        erased = eraser.run(scope, str(resume) if resume is not None else None, deadline)
        removed[eraser.name] = removed.get(eraser.name, 0) + erased.removed
        if erased.resume is None:
            at, resume = at + 1, None
        else:
            resume = erased.resume
        return StepResult(
            checkpoint={"at": at, "resume": resume, "removed": removed},
            progress=Progress(done=1 + at, total=total),
            extra={"eraser": eraser.name, "erased": erased.removed, "finished": erased.resume is None},
        )
