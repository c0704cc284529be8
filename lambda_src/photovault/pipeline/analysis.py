"""Run the analyzer's independent calls in parallel, retrying throttling with backoff and jitter inside a deadline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from photovault.errors import TransientDependencyError
from photovault.model import Analysis
from photovault.ports import ImageAnalyzer

T = TypeVar("T")

# One pool per process: threads are reused across photos and invocations (creating them costs at every photo). Room
# for the four calls of each record a batch has in flight (handlers/worker.py: RECORDS_IN_FLIGHT = 4): with 8, the
# third and fourth records' calls queued behind the first two's (measured: a batch of 5 took 1.64× its floor).
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="analysis")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Full-jitter exponential backoff for throttled or failing AI calls (injectable clock and sleep for tests)."""

    base_delay: float = 0.2
    max_delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = random.Random()  # noqa: RUF009 — shared jitter source is intended


@dataclass(slots=True)
class CallStats:
    """How many retries a photo's calls needed (reported as AnalysisThrottled)."""

    retries: int = 0


def call_with_retry(fn: Callable[[], T], *, deadline: float, policy: RetryPolicy, stats: CallStats) -> T:
    """Retry transient failures with full-jitter exponential backoff until ``deadline`` (monotonic seconds)."""
    attempt = 0
    while True:
        try:
            return fn()
        except TransientDependencyError:
            delay = policy.rng.uniform(0, min(policy.max_delay, policy.base_delay * 2 ** min(attempt, 20)))
            if policy.clock() + delay >= deadline:
                raise
            attempt += 1
            stats.retries += 1
            policy.sleep(delay)


@dataclass(frozen=True, slots=True)
class AnalysisRun:
    """The merged analysis of one photo and the retries it took."""

    analysis: Analysis
    retries: int


def analyse(analyzer: ImageAnalyzer, image: bytes, *, deadline: float, policy: RetryPolicy) -> AnalysisRun:
    """Labels+properties, faces, text and moderation at once; any call failing past the deadline fails the photo."""
    stats = CallStats()

    def run(fn: Callable[[bytes], T]) -> T:
        return call_with_retry(lambda: fn(image), deadline=deadline, policy=policy, stats=stats)

    labels_f = _POOL.submit(run, analyzer.detect_labels)
    faces_f = _POOL.submit(run, analyzer.detect_faces)
    text_f = _POOL.submit(run, analyzer.detect_text)
    moderation_f = _POOL.submit(run, analyzer.detect_moderation)
    futures = (labels_f, faces_f, text_f, moderation_f)
    timeout = max(0.0, deadline - policy.clock()) + 1.0
    errors = [f.exception(timeout=timeout) for f in futures]
    failed = next((e for e in errors if e is not None), None)
    if failed is not None:
        if isinstance(failed, TransientDependencyError):
            raise failed
        raise TransientDependencyError(f"image analysis failed: {failed!r}") from failed
    labels, moderation = labels_f.result(), moderation_f.result()
    analysis = Analysis(
        labels=labels.labels,
        properties=labels.properties,
        faces=faces_f.result(),
        text=text_f.result(),
        moderation=moderation.labels,
        model_version=labels.model_version,
        moderation_model_version=moderation.model_version,
        analyzer=analyzer.name,
        units=len(futures),
        classes=labels.classes,
    )
    return AnalysisRun(analysis=analysis, retries=stats.retries)
