"""Process-wide plumbing for the offline models: one thread per native library, and load-once model caches.

The worker runs the four analysis calls of a photo in parallel threads on a 2-core machine; if every library
also spawned a thread per core they would oversubscribe the CPU and each call would get slower, not faster.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

# Read by OpenBLAS/OpenMP only when they load, so set before NumPy/OpenCV/onnxruntime are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

T = TypeVar("T")

_pinned = False
_pin_lock = threading.Lock()


def pin_native_threads() -> None:
    """Limit BLAS and OpenCV to one thread even when NumPy was imported before the variables above were set."""
    global _pinned  # noqa: PLW0603 - a process-wide, once-only switch
    with _pin_lock:
        if _pinned:
            return
        # threadpoolctl ships no type information; one call through an untyped handle.
        threadpoolctl = importlib.import_module("threadpoolctl")
        threadpoolctl.threadpool_limits(limits=1)
        import cv2

        cv2.setNumThreads(1)
        _pinned = True


class Lazy(Generic[T]):
    """A value built on first use, once per process, safely under concurrent first calls."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                value = self._value
                if value is None:
                    pin_native_threads()
                    value = self._value = self._factory()
        return value

    @property
    def loaded(self) -> bool:
        return self._value is not None


def onnx_session(model_path: str) -> Any:
    """An onnxruntime CPU session limited to one intra-op and one inter-op thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # warnings about unused initialisers are noise here
    return ort.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
