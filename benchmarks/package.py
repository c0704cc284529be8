"""Case 5 — package size: zipped and unzipped size of each Lambda artefact that `make build` produces.

The artefacts are built with the project's own builder (``scripts/build_lambda.py``, what `make build` runs), into
``results/dist/`` so the checkout's ``dist/`` is left alone; the zips are deterministic, so they are the same
bytes. The largest contributors (top-level folders of the zip) say where the megabytes come from.
"""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

from benchmarks.common import ROOT, CaseResult, Mode, log, python, subprocess_env

CASE = "package"
WORKER_LIMIT_MB = 10.0
MB = 1_000_000


def _contents(archive: Path, *, top: int = 6) -> tuple[int, list[tuple[str, int, int]]]:
    """Unzipped bytes and the largest top-level entries as (name, unzipped, compressed)."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            head = info.filename.split("/")[0]
            sizes[head][0] += info.file_size
            sizes[head][1] += info.compress_size
    unzipped = sum(size for size, _ in sizes.values())
    largest = sorted(((name, s[0], s[1]) for name, s in sizes.items()), key=lambda row: -row[2])[:top]
    return unzipped, largest


def _build(dist: Path) -> str | None:
    """Run the project's builder; None when it worked, else why not."""
    done = subprocess.run(
        [python(), "-m", "scripts.build_lambda", "--dist", str(dist)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=ROOT,
        check=False,
        timeout=900,
    )
    return None if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()[-400:]}"


def _package_only(dist: Path) -> None:
    """The smoke test's stand-in: the photovault package alone, zipped the way the builder zips."""
    from scripts.build_lambda import FUNCTIONS, collect, deterministic_zip

    for function in FUNCTIONS:
        deterministic_zip(collect(function, None), dist / f"{function}.zip")


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Build (or, in smoke mode, zip the package alone) and measure each artefact."""
    result = CaseResult(CASE)
    with tempfile.TemporaryDirectory(prefix="bench-dist-") as scratch:
        dist = Path(scratch) if mode is Mode.SMOKE else workdir / "dist"
        dist.mkdir(parents=True, exist_ok=True)
        if mode is Mode.SMOKE:
            _package_only(dist)
            result.notes.append("smoke mode: the photovault package alone, no dependencies")
        else:
            log(f"  {CASE}: python -m scripts.build_lambda --dist {dist} (what `make build` runs)")
            failure = _build(dist)
            if failure is not None:
                result.notes.append(f"the build could not run ({failure}); no artefact measured")
                result.goal("worker zip size", None, WORKER_LIMIT_MB, unit="MB")
                return result
        for archive in sorted(dist.glob("*.zip")):
            function = archive.stem
            zipped = archive.stat().st_size
            unzipped, largest = _contents(archive)
            result.metric(f"{function}.zip zipped", [zipped / MB], "MB")
            result.metric(f"{function}.zip unzipped", [unzipped / MB], "MB", note="Lambda's limit: 250 MB")
            result.data[function] = {
                "zipped_bytes": zipped,
                "unzipped_bytes": unzipped,
                "largest": [{"entry": n, "unzipped": u, "zipped": z} for n, u, z in largest],
            }
            log(f"    {function}: " + ", ".join(f"{n} {z / MB:.1f} MB" for n, _, z in largest))
            if function == "worker":
                result.goal("worker zip size", zipped / MB, WORKER_LIMIT_MB, unit="MB", detail=f"{zipped:,} bytes")
    return result
