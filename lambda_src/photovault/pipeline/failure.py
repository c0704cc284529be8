"""What the pipeline records when an attempt fails: the error for operators, and — when it gives up on an upload — a
reason its owner can read. Honest about what happens next: a given-up upload waits in the DLQ for an operator."""

from __future__ import annotations

from photovault.errors import OutOfTime, PhotoVaultError, TransientDependencyError
from photovault.model import PipelineError

_DETAIL_CHARS = 1000
_NEXT = " Your upload is kept safe: we have been alerted, and it will be processed again once the problem is fixed."


def pipeline_error(error: BaseException, *, at: str) -> PipelineError:
    """The error as operators see it in ``make inspect``: a stable code, the exception's own words, and when."""
    if isinstance(error, PhotoVaultError):
        code = error.code
    elif isinstance(error, TimeoutError):
        code = "timeout"
    else:
        code = "internal_error"
    return PipelineError(code=code, detail=f"{type(error).__name__}: {error}"[:_DETAIL_CHARS], at=at)


def failure_reason(error: BaseException) -> tuple[str, str]:
    """The reason code and sentence a FAILED photo shows its owner, by what kind of fault stopped its last attempt."""
    if isinstance(error, TransientDependencyError):
        code, why = "service_unavailable", "We could not finish processing this photo: a service it needs kept failing."
    elif isinstance(error, TimeoutError | OutOfTime):
        code, why = "processing_timeout", "We could not finish processing this photo in the time we allow for it."
    else:
        code, why = "processing_error", "We could not finish processing this photo because of an error on our side."
    return code, why + _NEXT
