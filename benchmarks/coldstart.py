"""Case 4 — cold start: a fresh interpreter doing what Lambda's init does, vs bare boto3 with the same clients.

Each sample is a new process (the OS file cache is warm, as on a re-used Lambda host). The environment looks like
Lambda's with X-Ray tracing Active (``LAMBDA_TASK_ROOT`` set, Powertools tracing not disabled), so a Tracer, when
the code creates one (``XRAY_SDK_TRACING=true`` in photovault.observability), patches as it will in AWS.
Measured in-process: module import, then the first use case build (all boto3 clients created; no event handled,
no network call). The baseline imports boto3 and creates the same clients with the same botocore Config.
Variants with the X-Ray SDK tracer on and with no bytecode cache (the zip ships no .pyc and /var/task is
read-only, so Lambda compiles every module at each cold start) show what is worth paying for, as does the cost of
each dependency imported after boto3. ``python -X importtime`` attributes import time to top-level packages.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import CaseResult, Mode, log, python, ratio, subprocess_env

CASE = "coldstart"
MARK = "@@coldstart@@"

_CONFIG = """
from botocore.config import Config
config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=20.0,
                max_pool_connections=20, tcp_keepalive=True)
"""

# name -> (code timed as "import", code timed as "init")
PROGRAMS: dict[str, tuple[str, str]] = {
    "worker": (
        "import photovault.handlers.worker as handler",
        "from photovault import composition\ncomposition.ingest()",
    ),
    "api": (
        "import photovault.handlers.api as handler",
        "from photovault import composition\n"
        "from photovault.adapters import clients\n"
        "composition.api()\n"
        "clients.client('ssm')  # in AWS the signing key is read from SSM at the first build",
    ),
    "boto3 (worker's clients)": (
        "import boto3",
        _CONFIG + "session = boto3.session.Session()\n"
        "for name in ('s3', 'dynamodb', 'sns', 'rekognition', 'bedrock-runtime'):\n"
        "    session.client(name, config=config)",
    ),
    "boto3 (api's clients)": (
        "import boto3",
        _CONFIG + "session = boto3.session.Session()\n"
        "for name in ('dynamodb', 's3', 'ssm'):\n"
        "    session.client(name, config=config)",
    ),
}
BASELINE = {"worker": "boto3 (worker's clients)", "api": "boto3 (api's clients)"}

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
    "Pillow + pillow-heif": "from PIL import Image, ImageCms\nimport pillow_heif\npillow_heif.register_heif_opener()",
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
}


def _script(name: str) -> str:
    imported, initialised = PROGRAMS[name]
    return (
        "import time, json\n"
        "_t0 = time.perf_counter()\n"
        f"{imported}\n"
        "_t1 = time.perf_counter()\n"
        f"{initialised}\n"
        "_t2 = time.perf_counter()\n"
        f"print({MARK!r} + json.dumps({{'import': _t1 - _t0, 'init': _t2 - _t1}}))\n"
    )


def _component_script(code: str) -> str:
    return (
        "import time, json, boto3, botocore.session\n"
        "_t0 = time.perf_counter()\n"
        f"{code}\n"
        f"print({MARK!r} + json.dumps({{'import': time.perf_counter() - _t0, 'init': 0.0}}))\n"
    )


def _env(*, xray_sdk: bool = False, pycache: str | None = None) -> dict[str, str]:
    env = subprocess_env(**LAMBDA_ENV)
    for name in (
        "AWS_ENDPOINT_URL",
        "POWERTOOLS_TRACE_DISABLED",
        "PYTHONDONTWRITEBYTECODE",
        "SIGNING_KEY_PARAMETER",
        "XRAY_SDK_TRACING",
    ):
        env.pop(name, None)
    if xray_sdk:
        env["XRAY_SDK_TRACING"] = "true"  # photovault.observability then creates Powertools' Tracer
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache  # an empty cache: every module compiled from source, as in Lambda
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _sample(name: str, env: dict[str, str], script: str | None = None) -> dict[str, float]:
    done = subprocess.run(
        [python(), "-c", script or _script(name)], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            parsed: dict[str, float] = json.loads(line.removeprefix(MARK))
            return parsed
    raise RuntimeError(f"cold start of {name} failed: {done.stderr.strip()[-600:]}")


def importtime(name: str, *, processes: int = 3, top: int = 8) -> list[tuple[str, float]]:
    """Self import time (ms) summed per top-level package; the median over fresh ``python -X importtime`` runs."""
    runs: list[dict[str, float]] = []
    for _ in range(processes):
        done = subprocess.run(
            [python(), "-X", "importtime", "-c", _script(name)],
            capture_output=True,
            text=True,
            env=_env(),
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
    del workdir
    result = CaseResult(CASE)
    runs = {Mode.SMOKE: 1, Mode.QUICK: 7, Mode.FULL: 9}[mode]
    names = ["worker", "api", BASELINE["worker"], BASELINE["api"]]
    if mode is Mode.SMOKE:
        names = ["worker", BASELINE["worker"]]
    variants: dict[str, dict[str, str]] = {name: _env() for name in names}
    if mode is not Mode.SMOKE:
        variants["worker, X-Ray SDK tracer on"] = _env(xray_sdk=True)
        variants["api, X-Ray SDK tracer on"] = _env(xray_sdk=True)
    no_pyc = tempfile.TemporaryDirectory(prefix="bench-nopyc-")
    if mode is Mode.FULL:
        for name in ("worker", "api", BASELINE["worker"]):
            variants[f"{name}, no .pyc"] = _env(pycache=no_pyc.name)
    samples: dict[str, list[dict[str, float]]] = {variant: [] for variant in variants}
    log(f"  {CASE}: {len(variants)} programs × {runs} fresh processes, interleaved")
    with no_pyc:
        for _ in range(runs):
            for variant, env in variants.items():
                program = variant.split(",")[0]
                samples[variant].append(_sample(program, env))
    medians: dict[str, float] = {}
    for variant, values in samples.items():
        totals = [(v["import"] + v["init"]) * 1e3 for v in values]
        imports = sorted(v["import"] * 1e3 for v in values)
        note = f"import {imports[len(imports) // 2]:.0f} ms + first build"
        medians[variant] = result.metric(f"{variant}: import + init", totals, "ms", note=note).median
    for program in ("worker", "api"):
        if program in medians:
            base = BASELINE[program]
            result.goal(
                f"{program} init vs bare boto3 + same clients",
                ratio(medians[program], medians[base]),
                1.3,
                detail=f"{medians[program]:.0f} ms ÷ {medians[base]:.0f} ms",
            )
    if mode is not Mode.SMOKE:
        component_runs = 5
        log(f"  {CASE}: what each dependency adds after boto3, {len(COMPONENTS)} × {component_runs} processes")
        costs: dict[str, list[float]] = {name: [] for name in COMPONENTS}
        for _ in range(component_runs):
            for name, code in COMPONENTS.items():
                costs[name].append(_sample(name, _env(), _component_script(code))["import"] * 1e3)
        for name, cost in costs.items():
            result.metric(f"adds after boto3: {name}", cost, "ms")
        breakdown: dict[str, Any] = {}
        for program in ("worker", "api"):
            breakdown[program] = importtime(program)
            log(f"    -X importtime {program}: " + ", ".join(f"{pkg} {ms:.0f}" for pkg, ms in breakdown[program]))
        result.data["importtime_self_ms_by_package"] = breakdown
    result.data["samples"] = samples
    return result
