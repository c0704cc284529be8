"""Case 2 — analysis fan-out: the worker's wall time per photo against the slowest dependent chain, and a batch's
records against theirs.

The worker runs on moto with fake Rekognition/Bedrock clients answering after realistic latencies (each of the four
Rekognition calls 300 ms, Bedrock Converse 900 ms). Captioning needs the labels, so the slowest chain is
max(Rekognition calls) + Bedrock = 1.2 s, plus the worker's own (non-AI) work: the same photo through the same
worker with zero-latency fakes, measured in the same run. Perfect overlap gives a ratio of 1.0.

A batch of ``BATCH`` photos in one invocation (issue 18), as many as the worker runs side by side: their decodes take
turns and their AI waits overlap, so at best the batch takes the same batch's time with zero-latency fakes plus one AI
chain; one record after another would take ``BATCH`` chains. Both batches run interleaved, each on a fresh emulator
(moto copies the whole table for every TransactWriteItems, so on one emulator each batch took about a second longer
than the one before: 3.2, 3.3, 4.5, 5.2, 6.2, 7.4 s, measured), and the goal is the one against the other.
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
BATCH = 4  # the worker's RECORDS_IN_FLIGHT (a test keeps them equal): all in flight at once, one AI chain is the floor
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


def _batch_seconds(data: bytes, *, rekognition: float, bedrock: float) -> float:
    """Wall seconds of one invocation handling ``BATCH`` photos (each a new owner's: none is a duplicate), on a fresh
    emulator."""
    with worker_rig(rekognition_latency=rekognition, bedrock_latency=bedrock) as rig:
        photos = [(owner, rig.upload(data, owner)) for owner in (str(uuid.uuid4()) for _ in range(BATCH))]
        messages = rig.take_messages()
        started = time.perf_counter()
        response = rig.invoke(messages)
        wall = time.perf_counter() - started
        statuses = {rig.status(owner, photo_id) for owner, photo_id in photos}
        if response.get("batchItemFailures") or statuses != {"READY"} or len(messages) != BATCH:
            raise RuntimeError(f"worker did not finish the batch: {statuses} {response} ({len(messages)} messages)")
    return wall


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
    log(f"  {CASE}: a batch of {BATCH} in one invocation, with and without AI latency, interleaved")
    slow_batches: list[float] = []
    plain_batches: list[float] = []
    for index in range(max(2, runs // 2)):
        for with_latency in (True, False) if index % 2 == 0 else (False, True):
            latency = (rekognition, bedrock) if with_latency else (0.0, 0.0)
            wall_s = _batch_seconds(data, rekognition=latency[0], bedrock=latency[1])
            (slow_batches if with_latency else plain_batches).append(wall_s * 1e3)
    plain_batch = result.metric(f"batch of {BATCH}, no AI latency ({item.name})", plain_batches, "ms")
    batch = result.metric(f"batch of {BATCH} in one invocation, AI latency ({item.name})", slow_batches, "ms")
    chain_only_ms = (rekognition + bedrock) * 1e3
    floor_ms = plain_batch.median + chain_only_ms
    one_by_one_ms = BATCH * wall.median
    result.data.update(batch_ms=batch.median, batch_floor_ms=floor_ms, batch_one_by_one_ms=one_by_one_ms)
    result.goal(
        f"batch of {BATCH}: wall vs its own work + one AI chain",
        ratio(batch.median, floor_ms),
        BATCH_GOAL,
        detail=(
            f"{batch.median:.0f} ms ÷ ({plain_batch.median:.0f} + {chain_only_ms:.0f}) ms; "
            f"records one by one: {one_by_one_ms:.0f} ms"
        ),
    )
    return result
