"""Case 6 — local end-to-end: `make run` itself (a child process) under load, upload → terminal.

The stack is ``python -m scripts.local_stack`` — exactly what `make run` starts: the emulator (moto behind the dispatch
lock and the presigned-POST check), the provisioner, the gateway, and the SQS pollers feeding one warm worker process
per core (batch size and batching window from terraform/resources.json). Photos go in the way the browser sends them
(sign in through the gateway's Cognito proxy, ``POST /api/uploads``, presigned POST), and a watcher reads each photo's
item until it is terminal. Phases:

- emulator: the same mixed S3/DynamoDB/SQS workload from 16 threads against moto behind the stack's dispatch lock and
  against moto unguarded (as ``moto.server`` serves it), no client retries: requests per second and 5xx answers of
  each — what the lock costs and what it buys;
- paced: one photo at a time, the next after the previous is terminal — the latency a person sees;
- burst: 200 photos (full mode), 20 uploads in flight at once — many people at once. Judged by throughput against
  the limit measured in the same run (cores ÷ CPU-seconds per photo), and by its p95 against the time to work
  through the burst at that throughput plus one paced p95 (a burst queues; the paced p95 is the person's goal);
- stop: SIGTERM once the burst is verified; the time until every process of the stack's tree is gone.

Afterwards every photo must be terminal (READY expected), with one item per upload and an empty DLQ ("0 lost, none
duplicated"), and the stack's log must hold no emulator 5xx. The stack's peak memory is its whole process tree's RSS
(stack + worker + helpers), sampled every 0.25 s.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from benchmarks.common import CaseResult, Mode, log, ratio
from benchmarks.inputs import dimensions, photo_like

CASE = "e2e"
TERMINAL = frozenset({"READY", "REJECTED", "QUARANTINED", "DUPLICATE", "FAILED"})
UPLOAD_CONCURRENCY = 3  # web/js/upload.js: one person's browser
BURST_CLIENTS = 20  # many people at once
P95_LIMIT_SECONDS = 3.0
THROUGHPUT_SHARE = 0.7  # of the limit the run measures (cores ÷ CPU per photo): the stack must use the cores it has
STOP_LIMIT_SECONDS = 10.0
EMULATOR_THREADS = 16
REQUESTS_PER_ROUND = 7  # not counting the deletes of received messages
MB = 1024 * 1024


@dataclass
class Tracked:
    """One uploaded photo: when its upload finished and when the watcher first saw it terminal."""

    photo_id: str
    uploaded_at: float
    terminal_at: float | None = None
    status: str | None = None
    attempts: int | None = None


@dataclass
class Watcher:
    """Polls the photo items (BatchGetItem on the emulator) and stamps the moment each becomes terminal."""

    dynamodb: Any
    table: str
    owner: str
    tracked: dict[str, Tracked] = field(default_factory=dict)
    interval: float = 0.05
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def add(self, item: Tracked) -> None:
        with self._lock:
            self.tracked[item.photo_id] = item

    def pending(self) -> list[Tracked]:
        with self._lock:
            return [item for item in self.tracked.values() if item.terminal_at is None]

    def _poll(self) -> None:
        from photovault import keys
        from photovault.adapters.dynamodb.codec import deserialize, serialize

        waiting = self.pending()
        for start in range(0, len(waiting), 100):
            chunk = waiting[start : start + 100]
            request = {
                self.table: {
                    "Keys": [
                        serialize({"pk": keys.user_pk(self.owner), "sk": keys.photo_sk(item.photo_id)})
                        for item in chunk
                    ],
                    "ConsistentRead": True,
                }
            }
            response = self.dynamodb.batch_get_item(RequestItems=request)
            seen = time.perf_counter()
            for raw in response.get("Responses", {}).get(self.table, []):
                photo = deserialize(raw)
                status = str(photo.get("status"))
                if status in TERMINAL:
                    item = self.tracked[str(photo["photo_id"])]
                    item.terminal_at, item.status, item.attempts = seen, status, photo.get("attempts")

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll()
            except Exception as exc:  # a slow emulator moment: try again
                log(f"    watcher: {type(exc).__name__}: {exc}")
            self._stop.wait(self.interval)

    @contextmanager
    def running(self) -> Iterator[None]:
        thread = threading.Thread(target=self.run, name="bench-e2e-watcher", daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join(10)

    def wait(self, items: list[Tracked], timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all(item.terminal_at is not None for item in items):
                return True
            self._stop.wait(0.02)
        return False


@cache
def _base_picture(width: int, height: int) -> Image.Image:
    return photo_like(width + 64, height + 64, seed=23)


def _photo(size: str, index: int) -> bytes:
    """The ``index``-th distinct photo-like JPEG (one base picture, a different mark and crop each); made when
    uploaded, so the benchmark never holds hundreds of them."""
    width, height = dimensions(size)
    dx, dy = (index * 7) % 64, (index * 13) % 64
    picture = _base_picture(width, height).crop((dx, dy, dx + width, dy + height))
    draw = ImageDraw.Draw(picture)
    side = max(8, min(width, height) // 12)
    x, y = (index * 37) % max(1, width - side), (index * 53) % max(1, height - side)
    draw.rectangle((x, y, x + side, y + side), fill=((index * 41) % 256, (index * 97) % 256, (index * 7) % 256))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _sub(id_token: str) -> str:
    payload = id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def _upload(gateway_url: str, token: str, index: int, size: str) -> Tracked:
    from scripts.local_stack.seed import DemoPhoto, upload

    photo_id = upload(gateway_url, token, DemoPhoto(f"bench-{index:04d}.jpg", _photo(size, index)))
    return Tracked(photo_id=photo_id, uploaded_at=time.perf_counter())


def _latencies(items: list[Tracked]) -> list[float]:
    return [item.terminal_at - item.uploaded_at for item in items if item.terminal_at is not None]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Plan:
    size: str
    warmup: int
    paced: int
    burst: int
    emulator_rounds: int  # each round: one unguarded and one serialised run
    emulator_ops: int  # per thread and run


def plan(mode: Mode) -> Plan:
    if mode is Mode.SMOKE:
        return Plan("320x240", 0, 0, 1, 1, 3)
    if mode is Mode.QUICK:
        return Plan("12MP", 1, 5, 30, 1, 20)
    return Plan("12MP", 1, 20, 200, 2, 40)


# ---------------------------------------------------------------- phase 1: the emulator's lock


def _emulator_run(serialize: bool, threads: int, ops: int) -> tuple[float, int]:
    """(requests per second, 5xx answers) of a mixed workload against an emulator in this process."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    from scripts.local_stack.config import ResourceSpec
    from scripts.local_stack.emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY, Emulator
    from scripts.local_stack.provision import table_definition

    emulator = Emulator(serialize=serialize)
    endpoint = emulator.start()
    try:
        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY, region_name="eu-west-1"
        )
        config = Config(retries={"max_attempts": 1}, max_pool_connections=threads * 2)
        s3, ddb, sqs = (session.client(s, endpoint_url=endpoint, config=config) for s in ("s3", "dynamodb", "sqs"))
        s3.create_bucket(Bucket="bench", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        ddb.create_table(**table_definition(ResourceSpec.load().table, "bench"))
        queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
        failures = [0]
        lock = threading.Lock()

        def call(method: Any, **kwargs: Any) -> Any:
            try:
                return method(**kwargs)
            except ClientError as exc:
                if exc.response["ResponseMetadata"].get("HTTPStatusCode", 0) >= 500:
                    with lock:
                        failures[0] += 1
                return {}

        def read_object(**kwargs: Any) -> dict[str, Any]:
            return {"Body": s3.get_object(**kwargs)["Body"].read()}

        def worker(index: int) -> None:
            body, pk = b"x" * 20_000, {"S": f"USER#{index % 4}"}
            for op in range(ops):  # seven requests a round: what one photo asks of S3, DynamoDB and SQS, roughly
                key = f"k{index}-{op}"
                call(s3.put_object, Bucket="bench", Key=key, Body=body)
                call(read_object, Bucket="bench", Key=key)
                call(ddb.put_item, TableName="bench", Item={"pk": pk, "sk": {"S": key}, "n": {"N": "0"}})
                call(
                    ddb.update_item,
                    TableName="bench",
                    Key={"pk": pk, "sk": {"S": key}},
                    UpdateExpression="SET n = n + :one, tags = :t",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"SS": ["a", "b", key]}},
                )
                call(
                    ddb.query, TableName="bench", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk}
                )
                call(sqs.send_message, QueueUrl=queue, MessageBody=key)
                for message in call(sqs.receive_message, QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
                    call(sqs.delete_message, QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(worker, range(threads)))
        elapsed = time.perf_counter() - started
        return threads * ops * REQUESTS_PER_ROUND / elapsed, failures[0]
    finally:
        emulator.stop()


def _emulator_phase(result: CaseResult, rounds: int, ops: int) -> None:
    log(f"  {CASE}: emulator, {EMULATOR_THREADS} threads × {ops} rounds of 7 requests, unguarded vs serialised")
    unguarded: list[float] = []
    serialised: list[float] = []
    errors = {"unguarded": 0, "serialised": 0}
    for _ in range(rounds):  # interleaved, so a noisy neighbour hurts both alike
        rate, failed = _emulator_run(False, EMULATOR_THREADS, ops)
        unguarded.append(rate)
        errors["unguarded"] += failed
        rate, failed = _emulator_run(True, EMULATOR_THREADS, ops)
        serialised.append(rate)
        errors["serialised"] += failed
    result.metric("emulator: moto unguarded", unguarded, "req/s", note=f"{errors['unguarded']} answered 5xx")
    result.metric("emulator: behind the dispatch lock", serialised, "req/s", note=f"{errors['serialised']} 5xx")
    cost = ratio(statistics.median(serialised), statistics.median(unguarded))
    result.data["emulator"] = {"unguarded": unguarded, "serialised": serialised, "errors": errors, "ratio": cost}
    result.goal("emulator 5xx behind the lock", errors["serialised"], 0, unit="answers")
    result.goal(
        "emulator throughput, serialised ÷ unguarded",
        cost,
        0.8,
        at_least=True,
        detail=f"{errors['unguarded']} 5xx unguarded",
    )


# ---------------------------------------------------------------- phases 2-4: make run under load


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Measure the emulator's lock, then run the paced and burst phases through `make run`, verify, stop it."""
    del workdir
    result = CaseResult(CASE)
    steps = plan(mode)
    _emulator_phase(result, steps.emulator_rounds, steps.emulator_ops)

    import boto3

    from scripts.local_stack.config import ResourceSpec
    from scripts.local_stack.emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY
    from scripts.local_stack.process import StackProcess
    from scripts.local_stack.provision import DEMO_PASSWORD, DEMO_USERNAME

    spec = ResourceSpec.load()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-make-run-") as scratch:
        stack = StackProcess.start(Path(scratch) / "make-run.log", environment={"POWERTOOLS_LOG_LEVEL": "WARNING"})
        try:
            log(f"  {CASE}: `make run` up in {time.perf_counter() - started:.1f} s at {stack.url}")
            session = boto3.session.Session(
                aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY, region_name="eu-west-1"
            )
            aws = {s: session.client(s, endpoint_url=stack.endpoint_url) for s in ("dynamodb", "sqs")}
            token = stack.sign_in(DEMO_USERNAME, DEMO_PASSWORD)["IdToken"]
            owner = _sub(token)
            watcher = Watcher(aws["dynamodb"], spec.name(spec.table["role"]), owner)
            with watcher.running():
                phases = _load_phases(result, stack, token, watcher, steps)
            _verify(result, aws, spec, owner, phases["everything"])
            emulator_5xx = stack.emulator_5xx()
            log(f"  {CASE}: stopping `make run` with SIGTERM")
            stop_seconds = _stop(stack)
        finally:
            if stack.process.poll() is None:
                stack.kill()
    peak_mb = stack.peak_rss / MB
    result.metric("`make run` peak RSS (whole process tree)", [peak_mb], "MB", note=f"{len(phases['burst'])} burst")
    result.goal("emulator 5xx in the stack's log", len(emulator_5xx), 0, unit="lines", detail=_first(emulator_5xx))
    result.goal("SIGTERM → every process gone", stop_seconds, STOP_LIMIT_SECONDS, unit="s", detail="after the burst")
    result.data.update(peak_rss_mb=peak_mb, emulator_5xx=len(emulator_5xx), stop_seconds=stop_seconds)
    return result


def _load_phases(result: CaseResult, stack: Any, token: str, watcher: Watcher, steps: Plan) -> dict[str, list[Tracked]]:
    from scripts.local_stack.config import worker_processes_wanted
    from scripts.local_stack.process import cpu_seconds

    url = stack.url
    # Warm-up: the worker process's cold start and the offline models' first load are not steady state.
    warm: list[Tracked] = []
    for index in range(steps.warmup):
        warm.append(_upload(url, token, index, steps.size))
        watcher.add(warm[-1])
        watcher.wait(warm[-1:], timeout=300)
    if warm:
        result.metric("first photo (worker cold start + model load)", _latencies(warm), "s")

    log(f"  {CASE}: paced, {steps.paced} photos one after another")
    cpu_before = cpu_seconds(stack.tree())
    paced: list[Tracked] = []
    for index in range(steps.warmup, steps.warmup + steps.paced):
        item = _upload(url, token, index, steps.size)
        watcher.add(item)
        paced.append(item)
        watcher.wait([item], timeout=120)

    # What one photo costs the whole stack (emulator, gateway, api, workers), measured while nothing else ran: the
    # local throughput can be no more than the cores divided by it.
    cpu_per_photo = (cpu_seconds(stack.tree()) - cpu_before) / len(paced) if paced else float("nan")
    cores = os.cpu_count() or 1
    limit_per_minute = 60.0 * cores / cpu_per_photo if paced and cpu_per_photo > 0 else float("nan")
    result.metric("stack CPU per photo, paced (all processes)", [cpu_per_photo], "s")
    result.metric(f"throughput limit: {cores} cores ÷ CPU per photo", [limit_per_minute], "photos/min")

    log(f"  {CASE}: burst, {steps.burst} photos, {BURST_CLIENTS} uploads at a time")
    first = steps.warmup + steps.paced
    burst_start = time.perf_counter()
    burst: list[Tracked] = []
    with ThreadPoolExecutor(BURST_CLIENTS, thread_name_prefix="bench-upload") as uploads:
        futures = [uploads.submit(_upload, url, token, i, steps.size) for i in range(first, first + steps.burst)]
        for future in futures:
            item = future.result()
            watcher.add(item)
            burst.append(item)
    uploaded_seconds = time.perf_counter() - burst_start
    finished = watcher.wait(burst, timeout=max(300.0, steps.burst * 30.0))
    done = [item.terminal_at for item in burst if item.terminal_at is not None]
    burst_seconds = (max(done) - burst_start) if done else float("nan")

    paced_latency, burst_latency = _latencies(paced), _latencies(burst)
    paced_sample = result.metric("paced: upload → terminal", paced_latency or [float("nan")], "s")
    result.metric("burst: upload → terminal (incl. queueing)", burst_latency or [float("nan")], "s")
    per_minute = ratio(len(done), burst_seconds / 60) if done else 0.0
    workers = worker_processes_wanted()  # what `make run` starts
    result.metric(f"burst: photos per minute ({workers} worker processes)", [per_minute], "photos/min")
    result.metric("burst: uploads took", [uploaded_seconds], "s")
    paced_p95, burst_p95 = _percentile(paced_latency, 0.95), _percentile(burst_latency, 0.95)
    result.data.update(
        size=steps.size,
        paced={"count": len(paced), "p50": paced_sample.median, "p95": paced_p95},
        burst={
            "count": len(burst),
            "clients": BURST_CLIENTS,
            "p50": statistics.median(burst_latency) if burst_latency else None,
            "p95": burst_p95,
            "seconds": burst_seconds,
            "photos_per_minute": per_minute,
            "all_terminal": finished,
        },
    )
    result.goal(
        f"p95 upload → terminal, paced ({steps.size})",
        paced_p95 if paced_latency else None,
        P95_LIMIT_SECONDS,
        unit="s",
        detail=f"p50 {paced_sample.median:.2f} s over {len(paced_latency)} photos",
    )
    result.goal(
        "burst throughput ÷ the limit measured in this run",
        ratio(per_minute, limit_per_minute) if done and math.isfinite(limit_per_minute) else None,
        THROUGHPUT_SHARE,
        unit="×",
        at_least=True,
        detail=f"{per_minute:.1f} of {limit_per_minute:.1f} photos/min ({cpu_per_photo:.2f} CPU-s per photo)",
    )
    # A burst queues: its photos cannot all finish within the paced p95. What a burst may take is the time to work
    # through it at the throughput goal (a share of the limit measured in this run) plus one photo's paced p95; a
    # p95 beyond that means photos waited for something other than their turn (a retry storm, a stuck record).
    drain_seconds = len(burst) / (THROUGHPUT_SHARE * limit_per_minute / 60) if limit_per_minute > 0 else math.inf
    result.goal(
        f"p95 upload → terminal, burst of {len(burst)} ({steps.size})",
        burst_p95 if burst_latency and math.isfinite(drain_seconds) else None,
        drain_seconds + P95_LIMIT_SECONDS,
        unit="s",
        detail=(
            f"limit: {len(burst)} photos at {THROUGHPUT_SHARE:.1f} × {limit_per_minute:.1f} photos/min "
            f"({drain_seconds:.0f} s) + {P95_LIMIT_SECONDS:.0f} s; p50 "
            f"{statistics.median(burst_latency) if burst_latency else 0:.1f} s"
        ),
    )
    return {"burst": burst, "everything": [*warm, *paced, *burst]}


def _stop(stack: Any) -> float:
    import signal

    try:
        return float(stack.stop(signal.SIGTERM, timeout=60))
    except TimeoutError:
        return float("inf")


def _first(lines: list[str]) -> str:
    return lines[0][-160:] if lines else ""


def _verify(result: CaseResult, aws: dict[str, Any], spec: Any, owner: str, items: list[Tracked]) -> None:
    """0 lost (every upload terminal, READY; DLQ empty) and none duplicated (one item each, claimed once)."""
    from photovault import keys
    from photovault.adapters.dynamodb.codec import deserialize

    stored: list[dict[str, Any]] = []
    args: dict[str, Any] = {
        "TableName": spec.name(spec.table["role"]),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :photo)",
        "ExpressionAttributeValues": {":pk": {"S": keys.user_pk(owner)}, ":photo": {"S": keys.PHOTO_PREFIX}},
    }
    while True:
        page = aws["dynamodb"].query(**args)
        stored += [deserialize(raw) for raw in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            break
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    by_id = {str(photo["photo_id"]): photo for photo in stored}
    statuses: dict[str, int] = {}
    for photo in stored:
        statuses[str(photo.get("status"))] = statuses.get(str(photo.get("status")), 0) + 1
    lost = [item.photo_id for item in items if str(by_id.get(item.photo_id, {}).get("status")) not in TERMINAL]
    not_ready = [item.photo_id for item in items if str(by_id.get(item.photo_id, {}).get("status")) != "READY"]
    reclaimed = [pid for pid, photo in by_id.items() if int(photo.get("attempts", 1) or 1) > 1]
    extra = len(stored) - len({item.photo_id for item in items})
    sqs = aws["sqs"]
    dlq_url = sqs.get_queue_url(QueueName=spec.name(spec.ingest["dlq_role"]))["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    in_dlq = int(dlq["ApproximateNumberOfMessages"])
    result.metric("photos not terminal (lost)", [len(lost)], "photos", note=f"statuses {statuses}")
    result.metric("photos processed more than once or extra items", [len(reclaimed) + max(0, extra)], "photos")
    result.goal("photos lost (not terminal, or in the DLQ)", len(lost) + in_dlq, 0, unit="photos")
    result.goal("photos duplicated (claimed twice or extra items)", len(reclaimed) + max(0, extra), 0, unit="photos")
    result.data["statuses"] = statuses
    if not_ready:
        result.notes.append(f"{len(not_ready)} photos ended other than READY: {statuses}")
