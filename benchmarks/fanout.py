"""Case 2 — analysis fan-out: the worker's wall time per photo against the slowest dependent chain, and a batch's
records against theirs.

The worker runs on moto with fake Rekognition/Bedrock clients answering after realistic latencies (each of the four
Rekognition calls 300 ms, Bedrock Converse 900 ms). Captioning needs the labels, so the slowest chain is
max(Rekognition calls) + Bedrock = 1.2 s, plus the worker's own (non-AI) work: the same photo through the same
worker with zero-latency fakes, measured in the same run. Perfect overlap gives a ratio of 1.0.

A batch of ``BATCH`` photos in one invocation (issue 18): its records run side by side, their decodes taking turns, so
at best the batch takes every photo's own work plus one AI chain; one record after another would take ``BATCH``
chains. Reported against that floor, with the all-sequential time beside it.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from benchmarks.common import CaseResult, Mode, log, ratio
from benchmarks.inputs import INPUTS, ensure
from benchmarks.rig import worker_rig

CASE = "fanout"
REKOGNITION_LATENCY = 0.300
BEDROCK_LATENCY = 0.900
REKOGNITION_CALLS = 4
BATCH = 5
BATCH_GOAL = 1.3


def _per_photo_seconds(
    data: bytes, *, rekognition: float, bedrock: float, runs: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Wall seconds of one worker invocation per photo, without and with AI latency, interleaved run by run
    (upload and queue receive are not timed)."""
    plain: list[float] = []
    slow: list[float] = []
    with worker_rig(rekognition_latency=0.0, bedrock_latency=0.0) as rig:
        for index in range(warmup + runs):
            for with_latency in (False, True) if index % 2 == 0 else (True, False):
                rig.rekognition.latency.seconds = rekognition if with_latency else 0.0
                rig.bedrock.latency.seconds = bedrock if with_latency else 0.0
                owner = str(uuid.uuid4())  # a new owner each time: the same bytes are no duplicate for them
                photo_id = rig.upload(data, owner)
                messages = rig.take_messages()
                started = time.perf_counter()
                response = rig.invoke(messages)
                elapsed = time.perf_counter() - started
                status = rig.status(owner, photo_id)
                if response.get("batchItemFailures") or status != "READY":
                    raise RuntimeError(f"worker did not finish the photo: status={status} response={response}")
                if index >= warmup:
                    (slow if with_latency else plain).append(elapsed)
    return plain, slow


def _batch_seconds(data: bytes, *, rekognition: float, bedrock: float, runs: int) -> list[float]:
    """Wall seconds of one invocation handling ``BATCH`` photos (each a new owner's: none is a duplicate)."""
    walls: list[float] = []
    with worker_rig(rekognition_latency=rekognition, bedrock_latency=bedrock) as rig:
        for _ in range(runs):
            photos = [(owner, rig.upload(data, owner)) for owner in (str(uuid.uuid4()) for _ in range(BATCH))]
            messages = rig.take_messages()
            started = time.perf_counter()
            response = rig.invoke(messages)
            walls.append(time.perf_counter() - started)
            statuses = {rig.status(owner, photo_id) for owner, photo_id in photos}
            if response.get("batchItemFailures") or statuses != {"READY"} or len(messages) != BATCH:
                raise RuntimeError(f"worker did not finish the batch: {statuses} {response} ({len(messages)} messages)")
    return walls


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Measure per-photo wall time with AI latencies and without, and judge the fan-out goal."""
    result = CaseResult(CASE)
    if mode is Mode.SMOKE:
        size, runs, warmup, scale = "96x64", 1, 0, 0.01
    else:
        size, runs, warmup, scale = "12MP", 7 if mode is Mode.FULL else 5, 1, 1.0
    item = ensure(size, "JPEG", workdir / INPUTS)
    data = item.path.read_bytes()
    rekognition, bedrock = REKOGNITION_LATENCY * scale, BEDROCK_LATENCY * scale
    log(
        f"  {CASE}: {item.name}, worker with zero-latency fakes and with {REKOGNITION_CALLS}× "
        f"{rekognition * 1e3:.0f} ms + {bedrock * 1e3:.0f} ms, interleaved"
    )
    plain, slow = _per_photo_seconds(data, rekognition=rekognition, bedrock=bedrock, runs=runs, warmup=warmup)
    own = result.metric(f"worker per photo, no AI latency ({item.name})", [t * 1e3 for t in plain], "ms")
    wall = result.metric(f"worker per photo, AI latency ({item.name})", [t * 1e3 for t in slow], "ms")
    chain_ms = (rekognition + bedrock) * 1e3 + own.median
    result.metric("slowest chain (max Rekognition + Bedrock + non-AI median)", [chain_ms], "ms")
    sequential_ms = (REKOGNITION_CALLS * rekognition + bedrock) * 1e3 + own.median
    result.data.update(chain_ms=chain_ms, sequential_ms=sequential_ms, non_ai_ms=own.median, wall_ms=wall.median)
    result.goal(
        "per-photo wall vs slowest chain",
        ratio(wall.median, chain_ms),
        1.15,
        detail=f"{wall.median:.0f} ms ÷ {chain_ms:.0f} ms (all-sequential would be {sequential_ms:.0f} ms)",
    )
    log(f"  {CASE}: a batch of {BATCH} in one invocation")
    batch = result.metric(
        f"batch of {BATCH} in one invocation, AI latency ({item.name})",
        [t * 1e3 for t in _batch_seconds(data, rekognition=rekognition, bedrock=bedrock, runs=max(1, runs // 2))],
        "ms",
    )
    floor_ms = BATCH * own.median + (rekognition + bedrock) * 1e3
    one_by_one_ms = BATCH * wall.median
    result.data.update(batch_ms=batch.median, batch_floor_ms=floor_ms, batch_one_by_one_ms=one_by_one_ms)
    result.goal(
        f"batch of {BATCH}: wall vs its own work + one AI chain",
        ratio(batch.median, floor_ms),
        BATCH_GOAL,
        detail=(
            f"{batch.median:.0f} ms ÷ ({BATCH} × {own.median:.0f} + {(rekognition + bedrock) * 1e3:.0f}) ms; "
            f"records one by one: {one_by_one_ms:.0f} ms"
        ),
    )
    return result
