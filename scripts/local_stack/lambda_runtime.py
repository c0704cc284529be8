"""A small stand-in for the Lambda runtime: a context object, and functions invoked in-process or in a warm child.

Lambda runs one invocation per execution environment at a time, and the handlers rely on that (Powertools'
resolver and batch processor keep per-invocation state on module-level objects). Both invokers therefore serialise
invocations of one function. ``SubprocessFunction`` additionally isolates the function in its own process — as Lambda
does — so the CPU-heavy worker neither shares the GIL with the gateway nor outlives its timeout: on timeout the child
is killed and the next invocation cold-starts a new one.
"""

from __future__ import annotations

import importlib
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from scripts.local_stack.config import ACCOUNT_ID, REGION

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]
INIT_TIMEOUT_SECONDS = 180.0  # generous: the offline analyzer loads its models at import


class FakeLambdaContext:
    """The attributes and method of ``awslambdaric``'s LambdaContext that handlers and Powertools read."""

    def __init__(self, *, function_name: str, timeout_seconds: float, memory_mb: int, region: str = REGION) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class InvocationResult:
    """What an invocation returned: ``response`` (JSON-compatible) or ``error`` (crash, timeout, bad response)."""

    response: Any = None
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class LambdaFunction(Protocol):
    name: str
    timeout_seconds: float

    def invoke(self, event: dict[str, Any]) -> InvocationResult: ...

    def close(self) -> None: ...


def load_handler(path: str) -> Handler:
    """``"package.module.function"`` → the function (what Lambda's ``handler`` setting names)."""
    module_name, _, attribute = path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{path} is not callable")
    return handler  # type: ignore[no-any-return]


def cold_start(handler: str, init: str | None) -> Handler:
    """What a new execution environment does once: run ``init`` (a dotted path to a function taking no argument:
    the local stack's wiring, e.g. ``scripts.local_stack.offline.install``), then import the handler."""
    if init:
        module_name, _, attribute = init.rpartition(".")
        getattr(importlib.import_module(module_name), attribute)()
    return load_handler(handler)


def _json_roundtrip(response: Any) -> Any:
    """Lambda serialises the return value as JSON; a value that cannot be serialised is a function error."""
    return json.loads(json.dumps(response))


class InProcessFunction:
    """Invokes a handler in this process (one invocation at a time). ``handler`` may be a callable or a dotted path."""

    def __init__(
        self,
        handler: Handler | str,
        *,
        name: str,
        timeout_seconds: float,
        memory_mb: int = 128,
        init: str | None = None,
    ) -> None:
        self.name = name
        self._init = init
        self.timeout_seconds = timeout_seconds
        self._memory_mb = memory_mb
        self._handler_ref = handler
        self._handler: Handler | None = handler if callable(handler) else None
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> InvocationResult:
        with self._lock:
            started = time.monotonic()
            try:
                if self._handler is None:
                    self._handler = cold_start(str(self._handler_ref), self._init)
                context = FakeLambdaContext(
                    function_name=self.name, timeout_seconds=self.timeout_seconds, memory_mb=self._memory_mb
                )
                response = _json_roundtrip(self._handler(event, context))
            except Exception as exc:
                log.exception("%s: invocation failed", self.name)
                return InvocationResult(error=f"{type(exc).__name__}: {exc}", duration_ms=_ms_since(started))
            duration = _ms_since(started)
            if duration > self.timeout_seconds * 1000:
                # Lambda would have stopped the function; its result never reaches the caller.
                return InvocationResult(
                    error=f"Task timed out after {self.timeout_seconds:.2f} seconds", duration_ms=duration
                )
            return InvocationResult(response=response, duration_ms=duration)

    def close(self) -> None:
        """Nothing to release in-process."""


class SubprocessFunction:
    """A warm execution environment in a child process (spawned, so it shares no threads or locks with this one)."""

    def __init__(
        self,
        handler: str,
        *,
        name: str,
        timeout_seconds: float,
        memory_mb: int = 128,
        environment: Mapping[str, str] | None = None,
        init: str | None = None,
    ) -> None:
        self.name = name
        self.timeout_seconds = timeout_seconds
        self._handler = handler
        self._init = init
        self._memory_mb = memory_mb
        self._environment = dict(environment or {})
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._kill()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_child_main,
            args=(
                child,
                self._handler,
                self._init,
                self.name,
                self.timeout_seconds,
                self._memory_mb,
                self._environment,
            ),
            name=f"lambda-{self.name}",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        # The init phase (imports, models) has its own budget, as in Lambda; the invocation timeout starts after it.
        if not parent.poll(INIT_TIMEOUT_SECONDS):
            self._kill()
            raise TimeoutError(f"init did not finish within {INIT_TIMEOUT_SECONDS} s")
        status, _ = parent.recv()
        if status != "ready":
            raise RuntimeError(f"unexpected message from the runtime: {status}")
        return parent

    def invoke(self, event: dict[str, Any]) -> InvocationResult:
        with self._lock:
            started = time.monotonic()
            try:
                conn = self._ensure_started()
                conn.send(json.dumps(event))
                if not conn.poll(self.timeout_seconds):
                    self._kill()  # Lambda stops the environment; the next invocation cold-starts
                    return InvocationResult(
                        error=f"Task timed out after {self.timeout_seconds:.2f} seconds", duration_ms=_ms_since(started)
                    )
                status, payload = conn.recv()
            except (EOFError, OSError, TimeoutError, RuntimeError) as exc:
                self._kill()
                return InvocationResult(error=f"Runtime exited: {exc!r}", duration_ms=_ms_since(started))
            if status == "ok":
                return InvocationResult(response=json.loads(payload), duration_ms=_ms_since(started))
            return InvocationResult(error=str(payload), duration_ms=_ms_since(started))

    def _kill(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        process, self._process = self._process, None
        if process is not None and process.is_alive():
            process.kill()
            process.join(5)

    def close(self) -> None:
        """Stop the environment now. Mid-invocation the child is killed (that invocation ends as "Runtime exited")
        instead of being awaited for up to the function's timeout."""
        if not self._lock.acquire(timeout=0):
            process = self._process
            if process is not None:
                process.kill()  # the invoking thread sees EOF on its pipe and cleans up after itself
            if not self._lock.acquire(timeout=5):
                return
        try:
            if self._conn is not None and self._process is not None and self._process.is_alive():
                try:
                    self._conn.send(None)
                    self._process.join(2)
                except (OSError, BrokenPipeError):
                    pass
            self._kill()
        finally:
            self._lock.release()


def _child_main(
    conn: Connection,
    handler_path: str,
    init: str | None,
    name: str,
    timeout: float,
    memory_mb: int,
    environment: dict[str, str],
) -> None:
    """The child's loop: wire and import the handler once (cold start), then answer invocations until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent stops us
    os.environ.update(environment)
    handler: Handler | None = None
    init_error: str | None = None
    try:
        handler = cold_start(handler_path, init)
    except Exception:
        init_error = "Runtime.ImportModuleError: " + traceback.format_exc()
        print(init_error, flush=True)
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if handler is None:
            conn.send(("error", init_error))
            continue
        try:
            context = FakeLambdaContext(function_name=name, timeout_seconds=timeout, memory_mb=memory_mb)
            response = handler(json.loads(message), context)
            conn.send(("ok", json.dumps(response)))
        except Exception as exc:
            traceback.print_exc()
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000
