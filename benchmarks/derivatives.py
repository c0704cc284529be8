"""Case 1 — derivatives: the worker's validate()+render() vs naive Pillow vs libvips, time and peak RSS.

Every (variant, input) runs in its own fresh interpreter, so each peak RSS belongs to one variant alone; the
variants' processes take turns run by run (interleaved), so load from elsewhere on this shared machine falls on all
of them alike. A child reports its resident set after imports and reading the file (idle) and its high-water mark
after warm-up and the timed runs (peak); an operation's working memory is peak − idle.

Variants (thumb 256 px + preview 1600 px, WebP):
- ``project``: ``photovault.images.validate`` + ``render`` — one decode (JPEG DCT-scaled), sha256, EXIF facts, and
  the analysis JPEG as well, exactly what the worker does per photo.
- ``naive``: Pillow ``open → convert("RGB") → resize(LANCZOS) → save WebP`` (Pillow defaults) for both sizes.
- ``libvips``: ``pyvips.Image.thumbnail_buffer`` (shrink-on-load) for each size, WebP at the project's settings
  (Q 80, effort 2), metadata stripped, libvips' operation cache off so no run reuses another's work.
- ``floor`` (JPEG inputs): the least work the job needs — a DCT-scaled decode to the size covering the preview, the
  two resizes and the two WebP encodes in sequence, nothing else; the project's whole job is judged against it.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import CaseResult, Mode, log, python, ratio, subprocess_env
from benchmarks.inputs import INPUTS, Input, ensure

CASE = "derivatives"
VARIANTS = ("project", "naive", "libvips", "floor")
SIDES = (1600, 256)
PROJECT_WEBP_QUALITY = 80
PROJECT_WEBP_EFFORT = 2
# Issue 7's goals: project ÷ libvips median time per input, naive ÷ project on 12 MP JPEG, peak RSS ≤ libvips's.
TIME_GOALS = {"12MP JPEG": 1.0, "24MP JPEG": 1.0, "12MP PNG": 1.5, "12MP WEBP": 1.5}
NAIVE_GOAL_INPUT = "12MP JPEG"
NAIVE_SPEEDUP = 2.5
# Issue 18: the whole job (validation, hashing, facts, the analysis JPEG, the budgeted fork) within 1.2× of the floor.
FLOOR_GOAL_INPUT = "12MP JPEG"
FLOOR_GOAL = 1.2


# ----------------------------------------------------------------------------------------------- child process
def _project_action(data: bytes) -> Callable[[], object]:
    from photovault.images import ImageLimits, render, validate

    limits = ImageLimits()
    return lambda: render(validate(data, limits))


def _naive_action(data: bytes) -> Callable[[], object]:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()

    def run() -> object:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        outputs = []
        for side in SIDES:
            scale = min(1.0, side / max(image.size))
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            buffer = io.BytesIO()
            image.resize(size, Image.Resampling.LANCZOS).save(buffer, "WEBP")
            outputs.append(buffer.getvalue())
        return outputs

    return run


def _floor_action(data: bytes) -> Callable[[], object]:
    """The least work the job needs for a JPEG: a DCT-scaled decode to the size that covers the preview, the two
    resizes and the two WebP encodes, one after another — no validation, hashing, facts, analysis JPEG or fork."""
    from PIL import Image

    def run() -> object:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", _fit(image.size, SIDES[0]))
        outputs = []
        for side in SIDES:
            image = image.resize(_fit(image.size, side), Image.Resampling.LANCZOS, reducing_gap=1.0)
            buffer = io.BytesIO()
            image.save(buffer, "WEBP", quality=PROJECT_WEBP_QUALITY, method=PROJECT_WEBP_EFFORT)
            outputs.append(buffer.getvalue())
        return outputs

    return run


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _libvips_action(data: bytes) -> Callable[[], object]:
    import pyvips

    pyvips.cache_set_max(0)  # no reuse of a previous run's decode

    def run() -> object:
        return [
            pyvips.Image.thumbnail_buffer(data, side, size="down").webpsave_buffer(
                Q=PROJECT_WEBP_QUALITY, effort=PROJECT_WEBP_EFFORT, keep="none"
            )
            for side in SIDES
        ]

    return run


ACTIONS: dict[str, Callable[[bytes], Callable[[], object]]] = {
    "project": _project_action,
    "naive": _naive_action,
    "libvips": _libvips_action,
    "floor": _floor_action,
}


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds() -> float:
    """CPU of this process and of its waited-for children: the project decodes in a forked child (the budget)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def peak_rss_kb() -> int:
    """This process's own high-water mark (VmHWM: reset by exec) or a waited-for child's, whichever is larger.

    Not ``getrusage(RUSAGE_SELF)``: Linux carries ru_maxrss across fork and exec, so every child started by the
    parent reported the parent's own peak (all variants 222 MB). The project decodes in a forked child (the
    budget), whose resident set starts at this process's and so counts both; RUSAGE_CHILDREN holds its peak."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux
    return max(_status_kb("VmHWM"), children)


def serve(variant: str, path: Path) -> None:
    """Child process: load the file and the variant, then answer the parent line by line.

    ``run`` → one timed run, answered as ``{"wall": s, "cpu": s}``; ``done`` → the resident set numbers. Keeping
    one process per variant alive lets the parent interleave variants run by run, so a burst of load from other
    work on this shared machine hits every variant alike instead of one of them.
    """
    data = path.read_bytes()
    try:
        action = ACTIONS[variant](data)
        idle = _status_kb("VmRSS")
    except Exception as exc:
        _answer({"error": f"{type(exc).__name__}: {exc}"})
        return
    _answer({"ready": True})
    for line in sys.stdin:
        if line.strip() == "run":
            wall, cpu = time.perf_counter(), _cpu_seconds()
            try:
                action()
            except Exception as exc:  # e.g. libvips without an HEVC decoder: reported as N/A, not a crash
                _answer({"error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"})
                return
            _answer({"wall": time.perf_counter() - wall, "cpu": _cpu_seconds() - cpu})
        else:
            _answer({"rss_idle_kb": idle, "rss_peak_kb": peak_rss_kb()})
            return


def _answer(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


class Child:
    """The parent's handle on one variant's process."""

    def __init__(self, variant: str, item: Input) -> None:
        self.variant = variant
        self.error: str | None = None
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.rss: dict[str, int] = {}
        command = [python(), "-m", "benchmarks.derivatives", "--serve", variant, str(item.path)]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=subprocess_env()
        )
        self._receive()

    def _receive(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        message: dict[str, Any] = json.loads(line) if line else {"error": "child exited"}
        if "error" in message and self.error is None:
            self.error = str(message["error"])
        return message

    def _send(self, command: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return self._receive()

    def run(self, *, timed: bool) -> None:
        if self.error is not None:
            return
        answer = self._send("run")
        if timed and "wall" in answer:
            self.wall.append(float(answer["wall"]))
            self.cpu.append(float(answer["cpu"]))

    def finish(self) -> None:
        if self.error is None:
            self.rss = self._send("done")
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=60)


def measure(item: Input, variants: list[str], runs: int, warmup: int) -> list[Child]:
    """Round-robin the variants' processes over warm-up and timed runs; returns the finished children."""
    children = [Child(variant, item) for variant in variants]
    for index in range(warmup + runs):
        for child in children if index % 2 == 0 else reversed(children):
            child.run(timed=index >= warmup)
    for child in children:
        child.finish()
    return children


# ----------------------------------------------------------------------------------------------------- the case
def plan(mode: Mode) -> tuple[list[tuple[str, str]], set[str], int, int]:
    """(inputs, inputs that also get the slow naive baseline, runs, warm-ups) for a mode."""
    if mode is Mode.SMOKE:
        return [("96x64", "JPEG")], {"96x64 JPEG"}, 1, 0
    goal_inputs = [("12MP", "JPEG"), ("24MP", "JPEG"), ("12MP", "PNG"), ("12MP", "WEBP")]
    if mode is Mode.QUICK:
        return goal_inputs, {"12MP JPEG"}, 5, 1
    extra = [("1MP", "JPEG"), ("1MP", "PNG"), ("1MP", "WEBP"), ("1MP", "HEIC"), ("12MP", "HEIC")]
    extra += [("24MP", "PNG"), ("24MP", "WEBP"), ("24MP", "HEIC")]
    naive = {"1MP JPEG", "12MP JPEG", "24MP JPEG", "12MP PNG", "12MP WEBP", "12MP HEIC"}
    return goal_inputs + extra, naive, 5, 1


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Time every variant on every planned input and judge the derivative goals."""
    result = CaseResult(CASE)
    inputs, naive_on, runs, warmup = plan(mode)
    medians: dict[tuple[str, str], float] = {}
    cpu: dict[tuple[str, str], float] = {}
    rss: dict[tuple[str, str], dict[str, float]] = {}
    for size, fmt in inputs:
        item = ensure(size, fmt, workdir / INPUTS)
        variants = [v for v in VARIANTS if (v != "naive" or item.name in naive_on) and (v != "floor" or fmt == "JPEG")]
        log(f"  {CASE}: {item.name}: {', '.join(variants)} interleaved, {warmup} warm-up + {runs} runs")
        for child in measure(item, variants, runs, warmup):
            variant = child.variant
            if child.error is not None or not child.wall:
                result.notes.append(f"{variant} on {item.name}: not measurable ({child.error})")
                continue
            cpu_ms = statistics.median(child.cpu) * 1e3
            sample = result.metric(
                f"{item.name} {variant}", [t * 1e3 for t in child.wall], "ms", note=f"CPU {cpu_ms:.0f} ms"
            )
            medians[(item.name, variant)] = sample.median
            cpu[(item.name, variant)] = cpu_ms
            peak_mb = child.rss["rss_peak_kb"] / 1024
            work_mb = (child.rss["rss_peak_kb"] - child.rss["rss_idle_kb"]) / 1024
            rss[(item.name, variant)] = {"peak_mb": peak_mb, "working_mb": work_mb}
            result.metric(f"{item.name} {variant} peak RSS", [peak_mb], "MB", note=f"working set {work_mb:.0f} MB")
    result.data["rss"] = {f"{name} {variant}": value for (name, variant), value in rss.items()}
    result.data["medians_ms"] = {f"{name} {variant}": value for (name, variant), value in medians.items()}
    result.data["cpu_ms"] = {f"{name} {variant}": value for (name, variant), value in cpu.items()}

    smoke = mode is Mode.SMOKE
    time_goals = {"96x64 JPEG": 1.0} if smoke else TIME_GOALS
    naive_input = "96x64 JPEG" if smoke else NAIVE_GOAL_INPUT
    for name, limit in time_goals.items():
        ours, theirs = medians.get((name, "project")), medians.get((name, "libvips"))
        value = ratio(ours, theirs) if ours is not None and theirs is not None else None
        cpu_note = (
            f"; CPU {cpu[(name, 'project')]:.0f} vs {cpu[(name, 'libvips')]:.0f} ms"
            if (name, "project") in cpu and (name, "libvips") in cpu
            else ""
        )
        result.goal(f"{name} time vs libvips", value, limit, detail=f"project ÷ libvips median{cpu_note}")
    ours, naive = medians.get((naive_input, "project")), medians.get((naive_input, "naive"))
    result.goal(
        f"{naive_input} speed-up vs naive Pillow",
        ratio(naive, ours) if ours and naive else None,
        NAIVE_SPEEDUP,
        at_least=True,
        detail="naive ÷ project median",
    )
    floor_input = "96x64 JPEG" if smoke else FLOOR_GOAL_INPUT
    ours, floor = medians.get((floor_input, "project")), medians.get((floor_input, "floor"))
    floor_cpu = (
        f"; CPU {cpu[(floor_input, 'project')]:.0f} vs {cpu[(floor_input, 'floor')]:.0f} ms"
        if (floor_input, "floor") in cpu and (floor_input, "project") in cpu
        else ""
    )
    result.goal(
        f"{floor_input} full job vs the floor",
        ratio(ours, floor) if ours and floor else None,
        FLOOR_GOAL,
        detail=f"project ÷ floor median (scaled decode + 2 resizes + 2 encodes){floor_cpu}",
    )
    for name in time_goals:
        ours_rss, vips_rss = rss.get((name, "project")), rss.get((name, "libvips"))
        value = ratio(ours_rss["peak_mb"], vips_rss["peak_mb"]) if ours_rss and vips_rss else None
        detail = (
            f"peak {ours_rss['peak_mb']:.0f} vs {vips_rss['peak_mb']:.0f} MB; working set "
            f"{ours_rss['working_mb']:.0f} vs {vips_rss['working_mb']:.0f} MB"
            if ours_rss and vips_rss
            else ""
        )
        result.goal(f"{name} peak RSS vs libvips", value, 1.0, detail=detail)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="derivative benchmark child process")
    parser.add_argument("--serve", nargs=2, metavar=("VARIANT", "PATH"), required=True)
    variant, path = parser.parse_args().serve
    serve(variant, Path(path))


if __name__ == "__main__":
    main()
