"""Run a piece of work in a forked child that can be stopped: a wall-clock budget and a memory cap, whatever it does.

A decoder stuck inside C code cannot be interrupted from its own thread, so the work runs in a child process
(os.fork: the child starts with the parent's modules and data, nothing is imported or copied up front) that the
parent kills when the budget runs out. The result comes back pickled through a pipe, so it should be small (the
derivatives: a few MB). No multiprocessing Pool or Queue: those need /dev/shm, which Lambda does not have.

Forking a process that has other threads (the analysis pool) is safe for this use: the child runs only the given
work, in the forking thread, starts any threads it needs itself, and leaves through os._exit. Python 3.12+ emits a
DeprecationWarning about such forks in general; it is hidden by default outside __main__.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")

# Signals a child dies of when the code it runs crashes on its input (a decoder's bad read, an abort on a broken
# invariant): deterministic for the same bytes, so not worth a retry.
CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT})
_READ_SIZE = 1 << 20
_OK, _MEMORY, _ERROR = b"o", b"m", b"e"


class OverBudget(Exception):
    """The work did not finish within its wall-clock budget; the child was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"work did not finish within {seconds:.1f} s")
        self.seconds = seconds


class OutOfMemory(Exception):
    """The work needed more memory than its cap (or the system could give) and was stopped."""


class ChildCrashed(Exception):
    """The child died of a signal while working (``signal`` says which): the work crashed on its input."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"the worker process died of {signal.Signals(signal_number).name}")
        self.signal = signal_number


class ChildFailed(Exception):
    """The work raised an exception in the child, or the child ended without an answer; the message has its story."""


def run_within_budget(work: Callable[[], T], *, seconds: float, memory_bytes: int | None = None) -> T:
    """``work()`` run in a forked child, its result returned; the child is killed after ``seconds`` of wall clock.

    Raises OverBudget when time runs out, OutOfMemory when the work uses ``memory_bytes`` of new memory (or the
    kernel kills it for memory), ChildCrashed when it dies of a crash signal and ChildFailed when it raises.

    The memory cap is enforced twice: RLIMIT_DATA in the child turns a large allocation into a MemoryError, and the
    parent watches the child's resident memory and kills it past the cap. The second catches what the first cannot
    see: allocations served from heap the child inherited free (an address range already counted in VmData), and
    sandboxes whose kernels do not enforce RLIMIT_DATA on mmap (seen in CI: a 192 MB hoard went through).
    """
    deadline = time.monotonic() + seconds
    if memory_bytes is not None:
        _release_free_heap()
    baseline = _resident_bytes(os.getpid())
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage is not collected across fork
        _child(work, read_end, write_end, memory_bytes)
    os.close(write_end)
    reaped = False
    try:
        watch = None if memory_bytes is None else _MemoryWatch(pid, (baseline or 0) + memory_bytes)
        payload = _read_until_closed(read_end, deadline, watch)
        if payload is None:
            raise OverBudget(seconds)
        _, status = os.waitpid(pid, 0)  # the pipe closes only when the child exits: this returns at once
        reaped = True
    finally:
        os.close(read_end)
        if not reaped:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return cast("T", _outcome(payload, status))


_WATCH_INTERVAL = 0.02  # seconds between two looks at the child's memory; a statm read costs microseconds
_PAGE_SIZE = resource.getpagesize()


def _resident_bytes(pid: int) -> int | None:
    """Resident anonymous memory of ``pid`` (statm's resident minus shared), None where /proc is missing or the
    process is gone. Anonymous, because that is what a decode allocates, and because fork copies exactly those page
    mappings: a child starts with its parent's anonymous resident size, while file-backed pages (shared libraries,
    mmapped model files) are not mapped into it until touched, so a whole-RSS baseline taken from the parent could sit
    hundreds of MB above the child (seen in CI, where the watch then never fired)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:  # noqa: PTH123 - a single read of a proc file
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


class _MemoryWatch:
    """The parent's look at a child's resident memory: over ``limit`` bytes, the child is killed."""

    def __init__(self, pid: int, limit: int) -> None:
        self.pid, self.limit = pid, limit

    def over(self) -> bool:
        resident = _resident_bytes(self.pid)
        if resident is None or resident <= self.limit:
            return False
        os.kill(self.pid, signal.SIGKILL)
        return True


def _read_until_closed(fd: int, deadline: float, watch: _MemoryWatch | None = None) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it, or None when the deadline comes first.

    Raises OutOfMemory when ``watch`` finds the child over its memory cap (and kills it)."""
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        wait = remaining if watch is None else min(remaining, _WATCH_INTERVAL)
        if not poller.poll(wait * 1000):
            if watch is not None and watch.over():
                raise OutOfMemory(f"the work used more than {watch.limit:,} bytes of resident memory")
            continue
        chunk = os.read(fd, _READ_SIZE)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _outcome(payload: bytes, status: int) -> object:
    if os.WIFSIGNALED(status):
        signal_number = os.WTERMSIG(status)
        if signal_number == signal.SIGKILL:  # not ours (we only kill after the deadline): the kernel's OOM killer
            raise OutOfMemory("the worker process was killed, most likely for using too much memory")
        if signal_number in CRASH_SIGNALS:
            raise ChildCrashed(signal_number)
        raise ChildFailed(f"the worker process was stopped by {signal.Signals(signal_number).name}")
    kind, body = payload[:1], payload[1:]
    if kind == _OK:
        return pickle.loads(body)
    if kind == _MEMORY:
        raise OutOfMemory("the work ran out of memory")
    if kind == _ERROR:
        raise ChildFailed(body.decode("utf-8", "replace"))
    raise ChildFailed(f"the worker process exited with status {os.WEXITSTATUS(status)} without an answer")


def _child(work: Callable[[], object], read_end: int, write_end: int, memory_bytes: int | None) -> None:
    """Run ``work`` and write its pickled result; never returns (os._exit skips the parent's atexit and finalizers)."""
    status = 0
    try:
        os.close(read_end)
        # The parent's handlers are not ours to run: SIGTERM ends the child, Ctrl-C is the parent's to handle (it
        # kills the child on its way out).
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # A collection would walk (and so copy) every page of the parent's heap; the child lives for one photo.
        gc.disable()
        if memory_bytes is not None:
            _cap_memory(memory_bytes)
        _keep_freed_memory()
        try:
            payload = _OK + pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = _MEMORY
        except BaseException:  # noqa: BLE001 - every failure is reported to the parent, which decides
            payload = _ERROR + traceback.format_exc().encode()[-4000:]
        _write_all(write_end, payload)
    except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code, which the child shares
        status = 70
    finally:
        os._exit(status)


def _release_free_heap() -> None:
    """Hand the heap's free pages back to the kernel (glibc's ``malloc_trim``) before forking the child.

    A warm worker's heap holds memory freed by earlier photos, resident and inside its data segment: a child that
    allocates from it grows neither VmData (so RLIMIT_DATA never fires) nor its resident size above the parent's
    (so the parent's watch never fires) — a 72 MB decode went through a 32 MB cap that way. Trimmed first, those pages
    are no longer resident, the baseline is the memory really in use, and a child taking them again shows in the
    resident size the parent watches. Not glibc (musl, macOS): nothing to do."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_BELOW = 64 * 1024 * 1024


def _keep_freed_memory() -> None:  # pragma: no cover - runs in the child
    """Let the child's malloc reuse what it frees instead of handing each large block back to the kernel.

    glibc serves blocks over its mmap threshold (128 KB in a process that has not freed a large one yet, as the
    parent has not: it never decodes) with fresh mappings and unmaps them on free, so each image buffer of the job
    — decode, resize passes, encoder input — costs its pages' faults again (≈14,000 for a 12 MP JPEG; on a
    microVM ≈30 ms of system time). Served from the heap and kept there, later buffers reuse earlier ones' pages.
    The child lives for one photo, so keeping freed memory costs nothing after it; RLIMIT_DATA counts the heap as it
    counts mappings. Not glibc: nothing to do."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, _KEEP_BELOW)
    mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP_BELOW)


def _cap_memory(extra_bytes: int) -> None:  # pragma: no cover - runs in the child
    """Let the child's writable memory grow by at most ``extra_bytes`` over what it inherited.

    RLIMIT_DATA rather than RLIMIT_AS: the address space also counts reservations that use no memory (glibc's
    per-thread malloc arenas reserve 64 MB each, and decoders start threads), which would refuse honest photos.
    """
    with open("/proc/self/status", "rb") as status:  # noqa: PTH123 - a single read of a proc file
        fields = dict(line.split(b":", 1) for line in status.read().splitlines() if b":" in line)
    current = int(fields[b"VmData"].split()[0]) * 1024
    limit = current + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _write_all(fd: int, payload: bytes) -> None:  # pragma: no cover - runs in the child
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]
