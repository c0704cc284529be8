"""The analysis fan-out: parallel calls, throttling retried with backoff inside the deadline, failure beyond it."""

from __future__ import annotations

import random
import threading

import pytest

from photovault.errors import Throttled, TransientDependencyError
from photovault.model import Face, Label, TextLine
from photovault.pipeline.analysis import CallStats, RetryPolicy, analyse, call_with_retry
from photovault.ports import LabelResult, ModerationResult


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def clock(self) -> float:
        return self.now


def policy(fake: FakeTime) -> RetryPolicy:
    return RetryPolicy(base_delay=0.2, max_delay=5.0, sleep=fake.sleep, clock=fake.clock, rng=random.Random(1))


def test_retries_throttling_with_growing_jittered_delays_then_succeeds():
    fake, attempts = FakeTime(), []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 4:
            raise Throttled("slow down")
        return "ok"

    stats = CallStats()
    assert call_with_retry(flaky, deadline=100.0, policy=policy(fake), stats=stats) == "ok"
    assert stats.retries == 3
    caps = [0.2, 0.4, 0.8]
    assert all(0 <= d <= cap for d, cap in zip(fake.sleeps, caps, strict=True))


def test_gives_up_when_the_next_wait_would_cross_the_deadline():
    fake = FakeTime()

    def always() -> str:
        raise Throttled("slow down")

    with pytest.raises(Throttled):
        call_with_retry(always, deadline=3.0, policy=policy(fake), stats=CallStats())
    assert fake.now < 3.0


def test_non_transient_errors_are_not_retried():
    fake, attempts = FakeTime(), []

    def broken() -> str:
        attempts.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError):
        call_with_retry(broken, deadline=100.0, policy=policy(fake), stats=CallStats())
    assert len(attempts) == 1


class RecordingAnalyzer:
    name = "recording"

    def __init__(self, fail: str | None = None) -> None:
        self.threads: set[str] = set()
        self.fail = fail
        self.barrier = threading.Barrier(4, timeout=5)

    def _enter(self, what: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.barrier.wait()  # all four calls must be in flight at once, or this times out
        if what == self.fail:
            raise TransientDependencyError("down")

    def detect_labels(self, image: bytes) -> LabelResult:
        self._enter("labels")
        return LabelResult((Label("Dog", 99.0),), None, "3.0")

    def detect_faces(self, image: bytes) -> tuple[Face, ...]:
        self._enter("faces")
        return ()

    def detect_text(self, image: bytes) -> tuple[TextLine, ...]:
        self._enter("text")
        return (TextLine("STOP", 99.0),)

    def detect_moderation(self, image: bytes) -> ModerationResult:
        self._enter("moderation")
        return ModerationResult((), "7.0")


def test_the_four_calls_run_in_parallel_and_are_combined():
    fake, analyzer = FakeTime(), RecordingAnalyzer()
    run = analyse(analyzer, b"jpeg", deadline=100.0, policy=policy(fake))
    assert len(analyzer.threads) == 4
    assert run.analysis.labels[0].name == "Dog" and run.analysis.text[0].text == "STOP"
    assert run.analysis.model_version == "3.0" and run.analysis.moderation_model_version == "7.0"
    assert run.analysis.units == 4 and run.analysis.analyzer == "recording"


def test_one_call_failing_past_the_deadline_fails_the_analysis():
    fake, analyzer = FakeTime(), RecordingAnalyzer(fail="text")
    with pytest.raises(TransientDependencyError):
        analyse(analyzer, b"jpeg", deadline=0.0, policy=policy(fake))
