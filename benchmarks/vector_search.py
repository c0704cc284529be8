"""Case — search by meaning, latency and size: QueryVectors p50/p95 as one user's library grows (10 k → 100 k
photos), through the real ``S3VectorIndex`` adapter over HTTP to the emulator's QueryVectors (make run's path).

Vectors are 384-d (the offline model), random unit vectors; another user's library of the same size sits in the same
index, so the owner filter has work to do. They are seeded through moto's S3 Vectors backend in-process (the same
put path the PutVectors handler takes, minus JSON over HTTP: 100 k PutVectors requests' parsing would be timed, not
the query). The baseline, measured in the same run on the same index, is the same query with a filter the per-owner
matrices cannot use (``owner $in [...]``: each vector's metadata checked, as a post-filter would). Also reported:
the offline query embedding's latency (it precedes every search) and the bytes per photo, locally (process memory
growth) and in AWS (1024 float32 + key + metadata).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import CaseResult, Mode, log, ratio

CASE = "vector_search"
OWNER = "0d8c1f3e-vector-bench-owner"
OTHER = "9a7b6c5d-vector-bench-other"
DIMENSION = 384
AWS_DIMENSION = 1024
P95_GOAL_MS = 250.0
TOP_K = 100


def _rss() -> int:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _seed(backend: Any, bucket: str, index: str, owner: str, start: int, count: int, rng: np.random.Generator) -> None:
    for first in range(start, start + count, 500):
        size = min(500, start + count - first)
        data = rng.standard_normal((size, DIMENSION)).astype(np.float32)
        data /= np.linalg.norm(data, axis=1, keepdims=True)
        vectors = [
            {
                "key": f"{owner}/{first + i:08d}",
                "data": {"float32": row.tolist()},
                "metadata": {"owner": owner, "photo_id": f"{first + i:08d}", "model": "bench"},
            }
            for i, row in enumerate(data)
        ]
        backend.put_vectors(bucket, index, None, vectors)


def run(mode: Mode, workdir: Path) -> CaseResult:
    import boto3
    from moto.s3vectors.models import s3vectors_backends

    from photovault.adapters.s3vectors import S3VectorIndex
    from scripts.local_stack.config import ACCOUNT_ID, REGION, ResourceSpec
    from scripts.local_stack.emulator import Emulator
    from scripts.local_stack.offline import minilm
    from scripts.local_stack.provision import vector_store

    result = CaseResult(CASE)
    sizes = {Mode.SMOKE: [200, 1_000], Mode.QUICK: [10_000, 100_000], Mode.FULL: [10_000, 100_000]}[mode]
    runs = {Mode.SMOKE: 5, Mode.QUICK: 30, Mode.FULL: 60}[mode]
    rng = np.random.default_rng(15)
    emulator = Emulator()
    url = emulator.start()
    try:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        client = session.client("s3vectors", endpoint_url=url)
        bucket, index_name = vector_store(client, ResourceSpec.load(), DIMENSION)
        index = S3VectorIndex(client, bucket=bucket, index=index_name, dimension=DIMENSION)
        backend = s3vectors_backends[ACCOUNT_ID]["aws"]
        queries = rng.standard_normal((runs + 1, DIMENSION)).astype(np.float32)

        seeded = 0
        rss_before = _rss()
        for size in sizes:
            started = time.perf_counter()
            for owner in (OWNER, OTHER):
                _seed(backend, bucket, index_name, owner, seeded, size - seeded, rng)
            seeded = size
            log(f"  seeded {size:,} photos for each of two owners in {time.perf_counter() - started:.0f} s")
            index.query(OWNER, queries[-1].tolist(), top_k=TOP_K)  # warm

            timings = []
            for q in queries[:runs]:
                t0 = time.perf_counter()
                hits = index.query(OWNER, q.tolist(), top_k=TOP_K)
                timings.append((time.perf_counter() - t0) * 1e3)
                assert len(hits) == TOP_K and all(h.photo_id < f"{size:08d}" for h in hits)
            baseline = []
            for q in queries[: max(3, runs // 5)]:
                t0 = time.perf_counter()
                client.query_vectors(
                    vectorBucketName=bucket,
                    indexName=index_name,
                    topK=TOP_K,
                    queryVector={"float32": q.tolist()},
                    filter={"owner": {"$in": [OWNER]}},
                    returnMetadata=True,
                    returnDistance=True,
                )
                baseline.append((time.perf_counter() - t0) * 1e3)
            p95 = _percentile(timings, 95)
            result.metric(
                f"query p50 at {size:,} photos",
                [statistics.median(timings)],
                "ms",
                note="adapter → HTTP → QueryVectors",
            )
            result.metric(
                f"query p95 at {size:,} photos", [p95], "ms", note=f"{runs} queries, top {TOP_K}, owner filter"
            )
            result.metric(
                f"post-filter baseline p95 at {size:,} photos",
                [_percentile(baseline, 95)],
                "ms",
                note="metadata checked per vector",
            )
            result.metric(f"per-owner matrix speed-up at {size:,}", [ratio(_percentile(baseline, 95), p95)], "×")
            p50, base95 = statistics.median(timings), _percentile(baseline, 95)
            log(f"  {size:,}: p50 {p50:.1f} ms, p95 {p95:.1f} ms; baseline p95 {base95:.1f} ms")
            if size == sizes[-1]:
                result.goal(f"query p95 at {size:,} photos (local)", p95, P95_GOAL_MS, unit="ms")
        per_photo_local = (_rss() - rss_before) / (2 * seeded)
        result.metric("local memory per photo (moto store + owner matrix)", [per_photo_local / 1024], "KB")

        embed = []
        minilm.embed(["warm up"])
        for text in ["a cup of coffee", "rocket launch", "woman in uniform", "stars in the night sky", "a cat"] * 4:
            t0 = time.perf_counter()
            minilm.embed([text])
            embed.append((time.perf_counter() - t0) * 1e3)
        result.metric("offline query embedding p95", [_percentile(embed, 95)], "ms", note="MiniLM int8, 1 thread")

        metadata = {"owner": "c0a8f1e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "photo_id": "0190abcd-ef01-7234-8567-89abcdef0123"}
        metadata["model"] = "amazon.titan-embed-image-v1"
        key = f"{metadata['owner']}/{metadata['photo_id']}"
        aws_bytes = AWS_DIMENSION * 4 + len(key) + len(json.dumps(metadata))
        result.metric("AWS index size per photo", [aws_bytes / 1024], "KB", note="1024 × float32 + key + metadata")
        result.metric("local vector size per photo", [(DIMENSION * 4) / 1024], "KB", note="384 × float32")
    finally:
        emulator.stop()
    return result
