"""The benchmark harness works: every case runs end to end in its tiny smoke mode and writes its results.

No timing is asserted (timing goals belong to `make bench`); only that each case produces measurements and goals,
and that the outputs (table, latest.json, report.md with the plot) are written. The e2e case boots the whole local
stack (emulator, provisioning, a worker process loading the offline models, the 2 s batching window), which alone
takes longer than the other five cases together, so it is a separate test marked ``slow``, in a child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.common import ROOT, Mode, subprocess_env
from benchmarks.run import CASES, run_cases

IN_PROCESS = [
    "derivatives",
    "fanout",
    "search",
    "pages",
    "search_quality",
    "vector_search",
    "people",
    "coldstart",
    "package",
    "background",
]


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")


def test_every_case_but_e2e_runs_in_smoke_mode_and_reports(tmp_path: Path, quiet_env: None) -> None:
    # Given: the cases that run in-process, in their tiny smoke mode
    assert set(IN_PROCESS) | {"e2e"} == set(CASES)

    # When: they run and their results are written and printed
    results = run_cases(IN_PROCESS, Mode.SMOKE, tmp_path)
    json_path, report_path = report.write(results, tmp_path, mode="smoke", argv=["--smoke"])
    table = report.console(results)

    # Then: each case measured something, none crashed, and every output exists
    for result in results:
        assert not [note for note in result.notes if note.startswith("the case crashed")], result.notes
        assert result.metrics, f"{result.case} measured nothing"
    assert set(IN_PROCESS) <= {g.case for r in results for g in r.goals}
    payload = json.loads(json_path.read_text())
    assert [case["case"] for case in payload["cases"]] == IN_PROCESS
    assert "## Goals" in report_path.read_text()
    assert (tmp_path / report.PLOT_NAME).stat().st_size > 0
    assert "PASS" in table or "MISS" in table
    # The people pages are judged like the other pages; a cold start reports its first request beside its init.
    goals = {goal.name.split(":")[0] for r in results for goal in r.goals}
    assert {"people page", "a person's faces"} <= goals
    assert "worker: first request" in {metric.name for r in results for metric in r.metrics}


@pytest.mark.slow
def test_e2e_case_runs_a_photo_through_the_local_stack(tmp_path: Path) -> None:
    # Given: the e2e case in smoke mode (one small photo), in its own process as `make bench --only e2e` runs it
    env = subprocess_env(POWERTOOLS_LOG_LEVEL="WARNING", **{k: v for k, v in os.environ.items() if k == "PATH"})

    # When: it runs
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--only", "e2e", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    # Then: the photo became terminal, nothing was lost or duplicated, and the table was printed
    assert done.returncode == 0, done.stderr[-2000:]
    e2e = json.loads((tmp_path / "latest.json").read_text())["cases"][0]
    by_name = {goal["name"].split(" (")[0]: goal for goal in e2e["goals"]}
    assert by_name["photos lost"]["value"] == 0, e2e
    assert by_name["photos duplicated"]["value"] == 0, e2e
    assert "e2e" in done.stdout


def test_the_fanout_batch_is_as_many_records_as_the_worker_runs_side_by_side() -> None:
    from benchmarks import fanout
    from photovault.handlers.worker import RECORDS_IN_FLIGHT

    assert fanout.BATCH == RECORDS_IN_FLIGHT
