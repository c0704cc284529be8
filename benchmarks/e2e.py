"""Case 6 — local end-to-end: photos through `make run`'s stack (offline analyzer), upload → terminal.

The stack is ``scripts.local_stack.stack.LocalStack`` started in-process exactly as `make run` starts it: moto
server, the provisioner, the gateway with the Cognito JWT check, and the SQS poller feeding one warm worker process
(batch size and batching window from terraform/resources.json, as Lambda's event source mapping would). Photos go
in the way the browser sends them (sign in, ``POST /api/uploads``, presigned POST), and a watcher reads each
photo's item until it is terminal. Two phases:

- paced: one photo at a time, the next after the previous is terminal — the latency a person sees;
- burst: every photo uploaded with the web app's upload concurrency (3) — throughput (photos per minute) and the
  latency including queueing behind the single worker.

Afterwards every photo must be terminal (READY expected), its item claimed exactly once (``attempts`` = 1), with
one item per upload and an empty DLQ: "0 lost, none duplicated".
"""

from __future__ import annotations

import base64
import io
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import ImageDraw

from benchmarks.common import CaseResult, Mode, log, ratio
from benchmarks.inputs import dimensions, photo_like

CASE = "e2e"
TERMINAL = frozenset({"READY", "REJECTED", "QUARANTINED", "DUPLICATE"})
UPLOAD_CONCURRENCY = 3  # web/js/upload.js
P95_LIMIT_SECONDS = 3.0


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
        from photovault.adapters.dynamodb import deserialize, serialize

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
            time.sleep(0.02)
        return False


def _photos(size: str, count: int) -> Iterator[bytes]:
    """``count`` distinct photo-like JPEGs (one base picture, a different mark and crop each)."""
    width, height = dimensions(size)
    base = photo_like(width + 64, height + 64, seed=23)
    for index in range(count):
        dx, dy = (index * 7) % 64, (index * 13) % 64
        picture = base.crop((dx, dy, dx + width, dy + height))
        draw = ImageDraw.Draw(picture)
        side = max(8, min(width, height) // 12)
        x, y = (index * 37) % max(1, width - side), (index * 53) % max(1, height - side)
        draw.rectangle((x, y, x + side, y + side), fill=((index * 41) % 256, (index * 97) % 256, (index * 7) % 256))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=90)
        yield buffer.getvalue()


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """The handlers print EMF metric lines on stdout (the worker from its own process): keep the table clean."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _sub(id_token: str) -> str:
    payload = id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def _upload(gateway_url: str, token: str, index: int, data: bytes) -> Tracked:
    from scripts.local_stack.seed import DemoPhoto, upload

    photo_id = upload(gateway_url, token, DemoPhoto(f"bench-{index:04d}.jpg", data))
    return Tracked(photo_id=photo_id, uploaded_at=time.perf_counter())


def _latencies(items: list[Tracked]) -> list[float]:
    return [item.terminal_at - item.uploaded_at for item in items if item.terminal_at is not None]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def plan(mode: Mode) -> tuple[str, int, int, int]:
    """(photo size, warm-up photos, paced photos, burst photos) for a mode."""
    if mode is Mode.SMOKE:
        return "320x240", 0, 0, 1
    if mode is Mode.QUICK:
        return "12MP", 1, 5, 30
    return "12MP", 1, 20, 100


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Start the local stack, run the paced and burst phases, verify nothing was lost or processed twice."""
    del workdir
    result = CaseResult(CASE)
    try:
        from scripts.local_stack.stack import LocalStack, StackOptions
    except ImportError as exc:
        result.notes.append(f"scripts.local_stack is not importable ({exc}); case not run")
        result.goal("p95 upload → READY (paced)", None, P95_LIMIT_SECONDS, unit="s")
        return result
    size, warmup, paced_count, burst_count = plan(mode)
    log(f"  {CASE}: generating {warmup + paced_count + burst_count} distinct {size} JPEGs")
    photos = list(_photos(size, warmup + paced_count + burst_count))
    started = time.perf_counter()
    with _stdout_to_stderr(), LocalStack(StackOptions(seed=False)) as stack:
        resources = stack.resources
        log(f"  {CASE}: local stack up in {time.perf_counter() - started:.1f} s at {stack.url}")
        auth = stack.client("cognito-idp").initiate_auth(
            ClientId=resources.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": resources.demo_username, "PASSWORD": resources.demo_password},
        )["AuthenticationResult"]
        token = auth["IdToken"]
        watcher = Watcher(stack.client("dynamodb"), resources.table_name, _sub(token))
        with watcher.running():
            # Warm-up: the worker process's cold start and the offline models' first load are not steady state.
            warm: list[Tracked] = []
            for index in range(warmup):
                warm.append(_upload(stack.url, token, index, photos[index]))
                watcher.add(warm[-1])
                watcher.wait(warm[-1:], timeout=300)
            if warm:
                result.metric("first photo (worker cold start + model load)", _latencies(warm), "s")

            log(f"  {CASE}: paced, {paced_count} photos one after another")
            paced: list[Tracked] = []
            for index in range(warmup, warmup + paced_count):
                item = _upload(stack.url, token, index, photos[index])
                watcher.add(item)
                paced.append(item)
                watcher.wait([item], timeout=120)

            log(f"  {CASE}: burst, {burst_count} photos, {UPLOAD_CONCURRENCY} uploads at a time")
            burst_start = time.perf_counter()
            burst: list[Tracked] = []
            with ThreadPoolExecutor(UPLOAD_CONCURRENCY, thread_name_prefix="bench-upload") as uploads:
                futures = [
                    uploads.submit(_upload, stack.url, token, index, photos[index])
                    for index in range(warmup + paced_count, warmup + paced_count + burst_count)
                ]
                for future in futures:
                    item = future.result()
                    watcher.add(item)
                    burst.append(item)
            uploaded_seconds = time.perf_counter() - burst_start
            finished = watcher.wait(burst, timeout=max(120.0, burst_count * 20.0))
            done = [item.terminal_at for item in burst if item.terminal_at is not None]
            burst_seconds = (max(done) - burst_start) if done else float("nan")
        everything = [*warm, *paced, *burst]
        _verify(result, stack, resources, _sub(token), everything)
        worker_stats = stack.poller.stats if stack.poller is not None else None

    paced_latency = _latencies(paced)
    burst_latency = _latencies(burst)
    paced_sample = result.metric("paced: upload → terminal", paced_latency or [float("nan")], "s")
    result.metric("burst: upload → terminal (incl. queueing)", burst_latency, "s")
    per_minute = ratio(len(done), burst_seconds / 60) if done else 0.0
    result.metric("burst: photos per minute (one worker)", [per_minute], "photos/min")
    result.metric("burst: uploads took", [uploaded_seconds], "s")
    paced_p95, burst_p95 = _percentile(paced_latency, 0.95), _percentile(burst_latency, 0.95)
    result.data.update(
        size=size,
        paced={"count": len(paced), "p50": paced_sample.median, "p95": paced_p95},
        burst={
            "count": len(burst),
            "p50": statistics.median(burst_latency) if burst_latency else None,
            "p95": burst_p95,
            "seconds": burst_seconds,
            "photos_per_minute": per_minute,
            "all_terminal": finished,
        },
        poller=worker_stats.__dict__ if worker_stats is not None else None,
    )
    result.goal(
        f"p95 upload → terminal, paced ({size})",
        paced_p95 if paced_latency else None,
        P95_LIMIT_SECONDS,
        unit="s",
        detail=f"p50 {paced_sample.median:.2f} s over {len(paced_latency)} photos",
    )
    result.goal(
        f"p95 upload → terminal, burst of {len(burst)} ({size})",
        burst_p95 if burst_latency else None,
        P95_LIMIT_SECONDS,
        unit="s",
        detail=f"{per_minute:.1f} photos/min; p50 {statistics.median(burst_latency) if burst_latency else 0:.1f} s",
    )
    return result


def _verify(result: CaseResult, stack: Any, resources: Any, owner: str, items: list[Tracked]) -> None:
    """0 lost (every upload terminal, READY; DLQ empty) and none duplicated (one item each, claimed once)."""
    from photovault import keys
    from photovault.adapters.dynamodb import deserialize

    dynamodb = stack.client("dynamodb")
    stored: list[dict[str, Any]] = []
    args: dict[str, Any] = {
        "TableName": resources.table_name,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :photo)",
        "ExpressionAttributeValues": {":pk": {"S": keys.user_pk(owner)}, ":photo": {"S": keys.PHOTO_PREFIX}},
    }
    while True:
        page = dynamodb.query(**args)
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
    dlq = stack.client("sqs").get_queue_attributes(
        QueueUrl=resources.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    result.metric("photos not terminal (lost)", [len(lost)], "photos", note=f"statuses {statuses}")
    result.metric("photos processed more than once or extra items", [len(reclaimed) + max(0, extra)], "photos")
    result.goal("photos lost (not terminal, or in the DLQ)", len(lost) + int(dlq), 0, unit="photos")
    result.goal("photos duplicated (claimed twice or extra items)", len(reclaimed) + max(0, extra), 0, unit="photos")
    if not_ready:
        result.notes.append(f"{len(not_ready)} photos ended other than READY: {statuses}")
