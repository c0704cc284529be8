"""Shared pieces of the benchmark cases: run modes, samples (median and min–max), goals and case results."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
LAMBDA_SRC = ROOT / "lambda_src"


class Mode(StrEnum):
    """How much work a case does: ``full`` for `make bench`, ``quick`` for a fast look, ``smoke`` for the tests."""

    FULL = "full"
    QUICK = "quick"
    SMOKE = "smoke"


@dataclass(frozen=True, slots=True)
class Sample:
    """Repeated measurements of one thing; the table shows the median and the min–max spread."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        return max(self.values) if self.values else float("nan")

    @property
    def spread(self) -> float:
        """(max − min) / median: the noise this sample saw."""
        return (self.high - self.low) / self.median if self.values and self.median else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.low, "max": self.high, "n": len(self.values), "values": self.values}


@dataclass(frozen=True, slots=True)
class Metric:
    """One row of the results table: what was measured, on which variant, in which unit."""

    case: str
    name: str
    sample: Sample
    unit: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "name": self.name, "unit": self.unit, "note": self.note, **self.sample.to_json()}


@dataclass(frozen=True, slots=True)
class Goal:
    """A goal of issue 7: ``value`` compared with ``limit`` (``≤`` unless ``at_least``); None value means not run."""

    case: str
    name: str
    value: float | None
    limit: float
    unit: str = "×"
    at_least: bool = False
    detail: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "N/A"
        ok = self.value >= self.limit if self.at_least else self.value <= self.limit
        return "PASS" if ok else "MISS"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


@dataclass(slots=True)
class CaseResult:
    """Everything one case produced: table rows, goals, extra data for the report and what could not run."""

    case: str
    metrics: list[Metric] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The 1-minute load average sampled while the case ran: (min, mean, max); None where the OS has none.
    load: tuple[float, float, float] | None = None

    def metric(self, name: str, values: list[float] | tuple[float, ...], unit: str, note: str = "") -> Sample:
        sample = Sample(tuple(values))
        self.metrics.append(Metric(self.case, name, sample, unit, note))
        return sample

    def goal(self, name: str, value: float | None, limit: float, **kwargs: Any) -> Goal:
        goal = Goal(self.case, name, value, limit, **kwargs)
        self.goals.append(goal)
        return goal

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "seconds": round(self.seconds, 2),
            "load_1min": self.load,
            "metrics": [m.to_json() for m in self.metrics],
            "goals": [g.to_json() for g in self.goals],
            "data": self.data,
            "notes": self.notes,
        }


def repeat(action: Callable[[], object], *, runs: int, warmup: int = 1) -> list[float]:
    """Wall seconds of ``runs`` calls of ``action`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for child interpreters: the project and lambda_src importable, nothing else changed."""
    env = dict(os.environ)
    paths = [str(LAMBDA_SRC), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def python() -> str:
    """The interpreter running the benchmarks (the project's .venv under `make bench`)."""
    return sys.executable


def log(message: str) -> None:
    """Progress on stderr, so stdout keeps only the table."""
    print(message, file=sys.stderr, flush=True)
