"""The Lambda entry points, one module per function.

Inside Lambda, importing any of them pauses Python's cyclic garbage collector until the function's first invocation
returns (``entry_point``). Init and the first use-case build allocate several hundred thousand objects that live as
long as the process (modules, botocore's service models, the clients); each collection pass during that time walks
them all and frees nothing: 32 ms of the worker's 340 ms cold start (`make bench`, case coldstart). When the first
invocation returns, everything alive is frozen (``gc.freeze``: later passes skip it) and the collector runs as usual.
Outside Lambda (tests, the local stack) nothing changes.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_paused = bool(os.environ.get("LAMBDA_TASK_ROOT")) and gc.isenabled()
if _paused:
    gc.disable()


def _resume() -> None:
    global _paused  # noqa: PLW0603 — one switch per process
    with _lock:
        if _paused:
            _paused = False
            gc.freeze()
            gc.enable()


def entry_point(handler: F) -> F:
    """``handler`` as Lambda calls it: its first invocation, when it returns or raises, ends the collector's pause."""

    @functools.wraps(handler)
    def invoke(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        finally:
            if _paused:
                _resume()

    return invoke  # type: ignore[return-value]
