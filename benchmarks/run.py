"""`make bench`: run the benchmark cases, print one table of medians, ratios and PASS/MISS, write the results.

Usage: ``python -m benchmarks.run [--quick] [--only CASE ...] [--smoke] [--out DIR] [--in-process]``.
Each case runs in its own interpreter unless ``--in-process`` (or a single ``--only``).
Cases: derivatives, fanout, search, pages, search_quality, vector_search, people, coldstart, package, background, e2e
(in that order; e2e last, it needs the local stack).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    background,
    coldstart,
    derivatives,
    e2e,
    fanout,
    package,
    pages,
    people,
    report,
    search,
    search_quality,
    vector_search,
)
from benchmarks.common import RESULTS_DIR, CaseResult, Mode, log
from benchmarks.rig import QUIET_ENV

CASES: dict[str, Callable[[Mode, Path], CaseResult]] = {
    "derivatives": derivatives.run,
    "fanout": fanout.run,
    "search": search.run,
    "pages": pages.run,
    "search_quality": search_quality.run,
    "vector_search": vector_search.run,
    "people": people.run,
    "coldstart": coldstart.run,
    "package": package.run,
    "background": background.run,
    "e2e": e2e.run,
}


class LoadSampler:
    """The 1-minute load average every ``interval`` seconds while a case runs: how busy the machine was around the
    numbers (ratios are taken within one run, but a loaded machine widens every min–max)."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> tuple[float, float, float] | None:
        if not self.samples:
            return None
        return min(self.samples), sum(self.samples) / len(self.samples), max(self.samples)


def run_cases(names: list[str], mode: Mode, workdir: Path) -> list[CaseResult]:
    """Run the named cases in order; a case that crashes is reported (with its traceback) and the rest still run."""
    results = []
    for name in names:
        log(f"[{name}] {mode.value}")
        started = time.perf_counter()
        with LoadSampler() as load:
            try:
                result = CASES[name](mode, workdir)
            except Exception as exc:
                result = CaseResult(name)
                result.notes.append(f"the case crashed: {type(exc).__name__}: {exc}")
                log(traceback.format_exc())
        result.seconds = time.perf_counter() - started
        result.load = load.summary()
        log(f"[{name}] done in {result.seconds:.0f} s; {report.load_text(result.load)}")
        results.append(result)
    return results


def run_isolated(names: list[str], mode: Mode, workdir: Path) -> list[CaseResult]:
    """Each case in a fresh interpreter: no case inherits another's emulator state, garbage or warm caches (the
    search case leaves hundreds of thousands of moto items behind, which slowed the e2e emulator by half)."""
    results = []
    flags = {Mode.SMOKE: ["--smoke"], Mode.QUICK: ["--quick"], Mode.FULL: []}[mode]
    with tempfile.TemporaryDirectory(prefix="bench-case-") as scratch:
        for name in names:
            result_file = Path(scratch) / f"{name}.pickle"
            command = [sys.executable, "-m", "benchmarks.run", "--only", name, *flags, "--out", str(workdir)]
            command += ["--result-file", str(result_file)]
            subprocess.run(command, stdout=sys.stderr, check=False)
            if result_file.exists():
                results.append(pickle.loads(result_file.read_bytes()))  # noqa: S301 - our own child's file
            else:
                crashed = CaseResult(name)
                crashed.notes.append("the case crashed: its process ended without a result")
                results.append(crashed)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer inputs and sizes (a few minutes)")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs: proves the harness, measures nothing")
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="run only this case (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default benchmarks/results)")
    parser.add_argument("--in-process", action="store_true", help="run the cases in this process, not one each")
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)  # child mode of run_isolated
    args = parser.parse_args(argv)
    mode = Mode.SMOKE if args.smoke else Mode.QUICK if args.quick else Mode.FULL
    names = [name for name in CASES if not args.only or name in args.only]
    # Quiet handlers (Powertools logs) before anything imports them; the cases set the rest per case.
    for key in ("POWERTOOLS_LOG_LEVEL", "POWERTOOLS_TRACE_DISABLED"):
        os.environ.setdefault(key, QUIET_ENV[key])
    if args.result_file is not None:
        args.result_file.write_bytes(pickle.dumps(run_cases(names, mode, args.out)[0]))
        return 0
    started = time.perf_counter()
    if args.in_process or len(names) == 1:
        results = run_cases(names, mode, args.out)
    else:
        results = run_isolated(names, mode, args.out)
    json_path, report_path = report.write(
        results, args.out, mode=mode.value, argv=sys.argv[1:] if argv is None else argv
    )
    print(report.console(results))
    print(f"\n{len(names)} cases in {time.perf_counter() - started:.0f} s; wrote {json_path} and {report_path}")
    crashed = [r.case for r in results if any(note.startswith("the case crashed") for note in r.notes)]
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
