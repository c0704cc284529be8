"""The one fake Lambda context of the suite: the local stack's runtime stand-in, which the handlers already meet in
``make run`` (a deadline, a request id, the function's name and memory)."""

from __future__ import annotations

from scripts.local_stack.lambda_runtime import FakeLambdaContext


def lambda_context(function: str = "photovault-test", *, timeout_seconds: float = 60.0) -> FakeLambdaContext:
    """A fresh invocation's context: ``get_remaining_time_in_millis`` counts down from ``timeout_seconds``."""
    return FakeLambdaContext(function_name=function, timeout_seconds=timeout_seconds, memory_mb=512)
