"""Case 4 — cold start: a fresh interpreter doing what Lambda's init does, vs bare boto3 with the same clients.

Each sample is a new process (the OS file cache is warm, as on a re-used Lambda host). The environment looks like
Lambda's with X-Ray tracing Active (``LAMBDA_TASK_ROOT`` set, Powertools tracing not disabled), so a Tracer, when
the code creates one (``XRAY_SDK_TRACING=true`` in photovault.observability), patches as it will in AWS.
Measured in-process: module import, then the first use case build (all boto3 clients created; no network call) —
the goal — and then the first request, so that work taken off the init path shows where it went rather than
vanishing: the api answers ``GET /api/health`` (the resolver, validation and the contract's first model, no network
call); the worker handles a batch whose record it ignores (an S3 test event) and validates and renders one small
JPEG (the image work of its first photo before any network call). The environment has every feature Terraform turns
on (digest queue, places, faces, search by meaning), so init builds what it builds in AWS. The baseline imports boto3
and creates exactly the clients the function's init creates (recorded from its own init, in this run), with the same
botocore Config; it has no first request. Inside Lambda the functions pause the cyclic garbage collector until their
first invocation returns (photovault.handlers); the baseline, a bare script, does not.
Variants with the X-Ray SDK tracer on and with no bytecode cache (the zip ships no .pyc and /var/task is
read-only, so Lambda compiles every module at each cold start) show what is worth paying for, as does the cost of
each dependency imported after boto3. ``python -X importtime`` attributes import time to top-level packages.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.common import CaseResult, Mode, log, python, ratio, subprocess_env
from scripts import build_lambda

CASE = "coldstart"
MARK = "@@coldstart@@"

_CLIENTS_PROBE = """
from photovault.adapters import clients
made = []
_real = clients._client
def _recording(service, max_attempts, read_timeout, endpoint):
    made.append((service, max_attempts, read_timeout))
    return _real(service, max_attempts, read_timeout, endpoint)
clients._client = _recording
{init}
import json
print({mark!r} + json.dumps(sorted(set(made))))
"""


def _baseline_program(made: list[tuple[str, int, float]]) -> tuple[str, str]:
    """Bare boto3 creating exactly the clients ``made`` (service, retries, read timeout), with the same Config."""
    init = ["from botocore.config import Config", "session = boto3.session.Session()"]
    for service, attempts, read_timeout in made:
        signature = "'s3v4'" if service == "s3" else "None"
        init.append(
            f"session.client({service!r}, config=Config(retries={{'max_attempts': {attempts}, 'mode': 'standard'}}, "
            f"connect_timeout=5, read_timeout={read_timeout}, max_pool_connections=20, tcp_keepalive=True, "
            f"signature_version={signature}))"
        )
    return ("import boto3", "\n".join(init))


_CONTEXT = """
import time as _time
class _Context:
    function_name = "photovault-bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:photovault-bench"
    memory_limit_in_mb = 2048
    aws_request_id = "bench-first-request"
    log_group_name = log_stream_name = "bench"
    identity = client_context = tenant_id = None
    _deadline = _time.monotonic() + 300
    def get_remaining_time_in_millis(self):
        return int((self._deadline - _time.monotonic()) * 1000)
"""
_HEALTH_EVENT = {
    "version": "2.0",
    "routeKey": "ANY /api/{proxy+}",
    "rawPath": "/api/health",
    "rawQueryString": "",
    "headers": {"accept": "application/json", "content-length": "0"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "abc123",
        "http": {"method": "GET", "path": "/api/health", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7"},
        "requestId": "bench",
        "routeKey": "ANY /api/{proxy+}",
        "stage": "$default",
        "timeEpoch": 1710086400000,
    },
    "isBase64Encoded": False,
}
_TEST_EVENT_BATCH = {
    "Records": [
        {
            "messageId": "4d7c8a2b-1f3e-4a5b-9c6d-7e8f9a0b1c2d",
            "receiptHandle": "bench",
            "body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "photovault-dev-originals"}),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795600500412"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:photovault-dev-ingest",
            "awsRegion": "eu-west-1",
        }
    ]
}

# name -> (code timed as "import", code timed as "init"[, code timed as "first request"])
PROGRAMS: dict[str, tuple[str, ...]] = {
    "worker": (
        "import photovault.handlers.worker as handler",
        "from photovault import composition\ncomposition.ingest()",
        _CONTEXT
        + f"assert handler.handler({_TEST_EVENT_BATCH!r}, _Context()) == {{'batchItemFailures': []}}\n"
        + "import base64\nfrom photovault.images import render, validate\n"
        + "render(validate(base64.b64decode(_JPEG), composition.ingest().config.limits, "
        + "deadline=_time.monotonic() + 30))",
    ),
    "api": (
        "import photovault.handlers.api as handler",
        "from photovault import composition\n"
        "from photovault.adapters import clients\n"
        "composition.api()\n"
        "clients.client('ssm')  # in AWS the signing key is read from SSM at the first build",
        _CONTEXT + f"assert handler.handler({_HEALTH_EVENT!r}, _Context())['statusCode'] == 200",
    ),
}
FIRST_REQUEST = {
    "api": "GET /api/health through the handler",
    "worker": "an ignored record through the handler + validate and render a 640×480 JPEG",
}
BASELINE = {"worker": "boto3 (worker's clients)", "api": "boto3 (api's clients)"}


def clients_made(program: str, env: dict[str, str], interpreter: str) -> list[tuple[str, int, float]]:
    """The boto3 clients ``program``'s init creates, as (service, max attempts, read timeout): what its baseline
    creates with bare boto3."""
    init = PROGRAMS[program][1]
    done = subprocess.run(
        [interpreter, "-c", _CLIENTS_PROBE.format(init=init, mark=MARK)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return [tuple(entry) for entry in json.loads(line.removeprefix(MARK))]  # type: ignore[misc]
    raise RuntimeError(f"could not list the clients {program} creates: {done.stderr.strip()[-600:]}")


# What each dependency adds on top of boto3 (imported first, untimed), in a fresh Lambda-like process.
COMPONENTS: dict[str, str] = {
    "Powertools Logger + Metrics": "from aws_lambda_powertools import Logger, Metrics\nLogger(); Metrics()",
    "Powertools Tracer, patch boto3+botocore": (
        "from aws_lambda_powertools import Tracer\nTracer(service='x', patch_modules=['boto3', 'botocore'])"
    ),
    "Powertools Tracer, patch everything": "from aws_lambda_powertools import Tracer\nTracer(service='x')",
    "Powertools BatchProcessor": "from aws_lambda_powertools.utilities.batch import BatchProcessor",
    "Powertools APIGatewayHttpResolver (validation)": (
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "APIGatewayHttpResolver(enable_validation=True)"
    ),
    "pydantic": "import pydantic",
    "photovault.settings (pydantic model)": "import photovault.settings",
    "Pillow + pi-heif": "from PIL import Image, ImageCms\nimport pi_heif\npi_heif.register_heif_opener()",
    "photovault.images": "from photovault.images import validate",
}

LAMBDA_ENV = {
    # LAMBDA_TASK_ROOT is what Powertools and the X-Ray SDK look at to decide they run in Lambda (tracing on,
    # Lambda's local sampler instead of the centralised one).
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_LAMBDA_FUNCTION_NAME": "photovault-dev-worker",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    "POWERTOOLS_SERVICE_NAME": "photovault",
    "POWERTOOLS_METRICS_NAMESPACE": "PhotoVault",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "TABLE_NAME": "photovault-dev-photos",
    "ORIGINALS_BUCKET": "photovault-dev-originals-123456789012",
    "DERIVATIVES_BUCKET": "photovault-dev-derivatives-123456789012",
    "EVENTS_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:photovault-dev-photo-events",
    "MEDIA_BASE_URL": "https://d111111abcdef8.cloudfront.net",
    "CLOUDFRONT_KEY_PAIR_ID": "K2JCJMDEHXQW5F",
    # Every feature Terraform turns on (modules/compute/main.tf), so init builds what it builds in AWS: the digest
    # timer's queue, places, faces and search by meaning, each with its own client.
    "JOBS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/photovault-dev-jobs",
    "INGEST_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/photovault-dev-ingest",
    "PLACE_INDEX": "photovault-dev-places",
    "FACE_COLLECTION_PREFIX": "photovault-dev-faces",
    "VECTOR_BUCKET": "photovault-dev-vectors",
    "VECTOR_INDEX": "photos-1024",
    "EMBEDDING_MODEL_ID": "amazon.titan-embed-image-v1",
    "EMBEDDING_DIMENSION": "1024",
}


@dataclass(frozen=True, slots=True)
class Runtime:
    """Where a cold start runs: an interpreter and, per program, what goes on its path (nothing: the project's venv).

    Under ``make bench`` that is Lambda's: Python 3.13 (the runtime's version, found as ``make build`` finds it)
    running each function's zip as built — the same files and the same precompiled bytecode, unpacked for this
    machine's architecture — beside boto3 installed and compiled as the Lambda runtime ships it."""

    python: str
    paths: dict[str, str]
    label: str


def lambda_runtime(workdir: Path) -> Runtime | None:
    """Each function's zip contents, unpacked with its bytecode, for this machine; None without a Python 3.13."""
    interpreter = build_lambda.bytecode_interpreter()
    if interpreter is None:
        return None
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    site = build_lambda.install_dependencies(
        build_lambda.runtime_requirements(), arch, workdir / "coldstart" / "lambda-deps"
    )
    runtime = _runtime_boto3(interpreter, workdir / "coldstart")
    paths = {}
    for function in ("worker", "api"):
        entries = build_lambda.collect(function, site)
        key = hashlib.sha256(
            json.dumps(sorted((name, path.stat().st_mtime_ns) for name, path in entries.items())).encode()
        ).hexdigest()[:16]
        root = workdir / "coldstart" / f"{function}-{key}"
        if not (root / ".complete").exists():
            shutil.rmtree(root, ignore_errors=True)
            build_lambda.with_bytecode(entries, interpreter, root)
            (root / ".complete").write_text(key)
        paths[function] = f"{root}{os.pathsep}{runtime}"
    version = subprocess.run([interpreter, "-V"], capture_output=True, text=True, check=True).stdout.strip()
    return Runtime(interpreter, paths, f"{version}, the zips' files and bytecode ({arch})")


def _runtime_boto3(interpreter: str, folder: Path) -> Path:
    """boto3 as the Lambda runtime provides it (outside the zip), precompiled like the runtime's own copy."""
    target = folder / "runtime-boto3"
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [interpreter, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(target)]
            + ["--only-binary=:all:", *sorted(build_lambda.RUNTIME_PROVIDED)],
            check=True,
        )
        subprocess.run([interpreter, "-m", "compileall", "-q", "-j", "0", str(target)], check=True)
        (target / ".complete").write_text("")
    return target


def _script(name: str, *, first_request: bool = True) -> str:
    imported, initialised, *first = PROGRAMS[name]
    request = first[0] if first and first_request else ""
    return (
        "import time, json\n"
        f"_JPEG = {_small_jpeg() if 'photovault.images' in request else ''!r}\n"
        "_t0 = time.perf_counter()\n"
        f"{imported}\n"
        "_t1 = time.perf_counter()\n"
        f"{initialised}\n"
        "_t2 = time.perf_counter()\n"
        f"{request}\n"
        "_t3 = time.perf_counter()\n"
        f"print({MARK!r} + json.dumps({{'import': _t1 - _t0, 'init': _t2 - _t1, 'first': _t3 - _t2}}))\n"
    )


@cache
def _small_jpeg() -> str:
    """A 640×480 photo-like JPEG (noise over a gradient), base64: what the worker's first request decodes."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(18)
    gradient = np.linspace(0, 200, 640, dtype=np.float32)[None, :, None]
    pixels = np.clip(gradient + rng.normal(0, 25, (480, 640, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85)
    return base64.b64encode(out.getvalue()).decode()


def _component_script(code: str) -> str:
    return (
        "import time, json, boto3, botocore.session\n"
        "_t0 = time.perf_counter()\n"
        f"{code}\n"
        f"print({MARK!r} + json.dumps({{'import': time.perf_counter() - _t0, 'init': 0.0}}))\n"
    )


def _env(
    *, xray_sdk: bool = False, pycache: str | None = None, runtime: Runtime | None = None, program: str = "worker"
) -> dict[str, str]:
    env = subprocess_env(**LAMBDA_ENV)
    for name in (
        "AWS_ENDPOINT_URL",
        "POWERTOOLS_TRACE_DISABLED",
        "PYTHONDONTWRITEBYTECODE",
        "SIGNING_KEY_PARAMETER",
        "XRAY_SDK_TRACING",
    ):
        env.pop(name, None)
    if runtime is not None:
        # Only the function's unpacked zip and the runtime's boto3: nothing of the project's venv or sources.
        env["PYTHONPATH"] = runtime.paths["api" if program.startswith(("api", "boto3 (api")) else "worker"]
        env["PYTHONNOUSERSITE"] = "1"
    if xray_sdk:
        env["XRAY_SDK_TRACING"] = "true"  # photovault.observability then creates Powertools' Tracer
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache  # an empty cache: every module compiled from source, as in Lambda
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _sample(
    name: str, env: dict[str, str], script: str | None = None, interpreter: str | None = None
) -> dict[str, float]:
    done = subprocess.run(
        [interpreter or python(), "-"],  # the script on stdin: the worker's carries a JPEG, too long for an argument
        input=script or _script(name),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            parsed: dict[str, float] = json.loads(line.removeprefix(MARK))
            return parsed
    raise RuntimeError(f"cold start of {name} failed: {done.stderr.strip()[-600:]}")


def importtime(
    name: str, *, processes: int = 3, top: int = 8, runtime: Runtime | None = None
) -> list[tuple[str, float]]:
    """Self import time (ms) summed per top-level package; the median over fresh ``python -X importtime`` runs."""
    runs: list[dict[str, float]] = []
    for _ in range(processes):
        done = subprocess.run(
            [runtime.python if runtime else python(), "-X", "importtime", "-c", _script(name, first_request=False)],
            capture_output=True,
            text=True,
            env=_env(runtime=runtime, program=name),
            check=False,
            timeout=120,
        )
        totals: dict[str, float] = defaultdict(float)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cumulative, module = (part.strip() for part in line.removeprefix("import time:").split("|"))
            totals[module.split(".")[0]] += int(self_us) / 1e3
        runs.append(totals)
    packages = {package for totals in runs for package in totals}
    medians = {package: statistics.median(totals.get(package, 0.0) for totals in runs) for package in packages}
    return sorted(medians.items(), key=lambda item: -item[1])[:top]


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Fresh processes, interleaved program by program; medians of import+init and the goals against boto3."""
    result = CaseResult(CASE)
    runs = {Mode.SMOKE: 1, Mode.QUICK: 7, Mode.FULL: 11}[mode]
    runtime = None if mode is Mode.SMOKE else lambda_runtime(workdir)
    interpreter = runtime.python if runtime else python()
    if runtime is None and mode is not Mode.SMOKE:
        result.notes.append(
            f"no Python {build_lambda.PYTHON_VERSION} here (set {build_lambda.BYTECODE_PYTHON_ENV}): measured under "
            "this interpreter with the project's sources, not the zips"
        )
    result.data["runtime"] = runtime.label if runtime else f"{python()} with the project's sources"
    log(f"  {CASE}: under {result.data['runtime']}")
    names = ["worker", "api", BASELINE["worker"], BASELINE["api"]]
    if mode is Mode.SMOKE:
        names = ["worker", BASELINE["worker"]]
    for program in ("worker", "api") if mode is not Mode.SMOKE else ("worker",):
        made = clients_made(program, _env(runtime=runtime, program=program), interpreter)
        PROGRAMS[BASELINE[program]] = _baseline_program(made)
        result.data[f"{program} clients"] = [
            f"{service} (retries {attempts}, read {timeout:g} s)" for service, attempts, timeout in made
        ]
        log(f"  {CASE}: {program} init creates {len(made)} clients: " + ", ".join(result.data[f"{program} clients"]))
    variants: dict[str, dict[str, str]] = {name: _env(runtime=runtime, program=name) for name in names}
    if mode is not Mode.SMOKE:
        variants["worker, X-Ray SDK tracer on"] = _env(xray_sdk=True, runtime=runtime, program="worker")
        variants["api, X-Ray SDK tracer on"] = _env(xray_sdk=True, runtime=runtime, program="api")
    no_pyc = tempfile.TemporaryDirectory(prefix="bench-nopyc-")
    if mode is Mode.FULL:
        for name in ("worker", "api", BASELINE["worker"]):
            variants[f"{name}, no .pyc"] = _env(pycache=no_pyc.name, runtime=runtime, program=name)
    samples: dict[str, list[dict[str, float]]] = {variant: [] for variant in variants}
    log(f"  {CASE}: {len(variants)} programs × {runs} fresh processes, interleaved")
    with no_pyc:
        for _ in range(runs):
            for variant, env in variants.items():
                program = variant.split(",")[0]
                samples[variant].append(_sample(program, env, interpreter=interpreter))
    medians: dict[str, float] = {}
    for variant, values in samples.items():
        totals = [(v["import"] + v["init"]) * 1e3 for v in values]
        imports = sorted(v["import"] * 1e3 for v in values)
        note = f"import {imports[len(imports) // 2]:.0f} ms + first build"
        medians[variant] = result.metric(f"{variant}: import + init", totals, "ms", note=note).median
        if variant.split(",")[0] in FIRST_REQUEST:
            # Reported beside the goal: what the init path no longer does must not reappear here.
            first = [v["first"] * 1e3 for v in values]
            result.metric(f"{variant}: first request", first, "ms", note=FIRST_REQUEST[variant.split(",")[0]])
            whole = [(v["import"] + v["init"] + v["first"]) * 1e3 for v in values]
            result.metric(f"{variant}: import + init + first request", whole, "ms")
    for program in ("worker", "api"):
        if program in medians:
            base = BASELINE[program]
            # Per round: the program's time over its baseline's in the same round (both ran back to back).
            per_round = [
                (a["import"] + a["init"]) / (b["import"] + b["init"])
                for a, b in zip(samples[program], samples[base], strict=True)
            ]
            spread = f"per-round ratio {min(per_round):.2f}–{max(per_round):.2f}"
            result.goal(
                f"{program} init vs bare boto3 + same clients",
                ratio(medians[program], medians[base]),
                1.3,
                detail=f"{medians[program]:.0f} ms ÷ {medians[base]:.0f} ms; {spread}; {result.data['runtime']}",
            )
    if mode is not Mode.SMOKE:
        component_runs = 5
        log(f"  {CASE}: what each dependency adds after boto3, {len(COMPONENTS)} × {component_runs} processes")
        costs: dict[str, list[float]] = {name: [] for name in COMPONENTS}
        for _ in range(component_runs):
            for name, code in COMPONENTS.items():
                env = _env(runtime=runtime, program="api" if "Resolver" in name or "pydantic" in name else "worker")
                costs[name].append(_sample(name, env, _component_script(code), interpreter)["import"] * 1e3)
        for name, cost in costs.items():
            result.metric(f"adds after boto3: {name}", cost, "ms")
        breakdown: dict[str, Any] = {}
        for program in ("worker", "api"):
            breakdown[program] = importtime(program, runtime=runtime)
            log(f"    -X importtime {program}: " + ", ".join(f"{pkg} {ms:.0f}" for pkg, ms in breakdown[program]))
        result.data["importtime_self_ms_by_package"] = breakdown
    result.data["samples"] = samples
    return result
